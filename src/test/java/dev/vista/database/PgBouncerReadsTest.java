package dev.vista.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vista.Vista;
import dev.vista.config.Config;
import dev.vista.testing.Await;
import dev.vista.testing.HotStandby;
import dev.vista.testing.PgBouncer;
import dev.vista.testing.ReportFixture;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Request;
import io.javalin.testtools.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Report reads on a hot standby behind PgBouncer in transaction pooling, with fewer server connections than Vista has
 * clients: every answer is the one the primary gives, and none depends on session state.
 */
class PgBouncerReadsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HotStandby cluster;
    static PgBouncer bouncer;

    @BeforeAll
    static void start() {
        cluster = HotStandby.start();
        ReportFixture.load(cluster.primary());
        cluster.awaitReplayed();
        bouncer = PgBouncer.start(cluster.standbyPort(), HotStandby.DATABASE, 2);
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The requests of the report tests, one of each kind: JSON, filters and order, one object, a count, CSV, real time. */
    static final List<Ask> ASKS = List.of(
            new Ask("/api/reports/visits_summary", r -> { }),
            new Ask("/api/reports/visits_summary?section=eq.index&order=visits.desc,user_id&select=user_id,visits", r -> { }),
            new Ask("/api/reports/user_stats?user_id=eq.1", r -> r.header("Accept", "application/vnd.pgrst.object+json")),
            new Ask("/api/reports/visits_summary?limit=2&offset=1", r -> r.header("Prefer", "count=exact")),
            new Ask("/api/reports/visits_summary_mv?source=materialized&user_id=gte.2", r -> { }),
            new Ask("/api/reports/visit_log.csv?order=visit_time.desc", r -> { }),
            new Ask("/api/reports/visit_log?email=is.null", r -> r.header("Accept", "text/csv")),
            new Ask("/api/reports/section_daily?realtime=true", r -> { }),
            new Ask("/api/reports/nope", r -> { }),
            new Ask("/api/reports/visits_summary?limt=5", r -> { }));

    record Ask(String path, Consumer<Request.Builder> headers) {
    }

    record Answered(int status, String contentRange, String body) {
    }

    @Test
    void report_reads_through_pgbouncer_in_transaction_pooling_answer_what_the_primary_answers() {
        var expected = new ArrayList<Answered>();
        try (var onPrimary = Vista.over(Config.fromEnvironment(Map.of()), cluster.primary())) {
            JavalinTest.test(onPrimary.app(), (server, client) -> ASKS.forEach(ask -> expected.add(answer(client, ask))));
        }
        serveThroughBouncer((vista, client) -> {
            for (int i = 0; i < ASKS.size(); i++) {
                assertThat(answer(client, ASKS.get(i))).as(ASKS.get(i).path()).isEqualTo(expected.get(i));
            }
            var response = client.get("/api/reports/visits_summary/compare");
            assertThat(header(response, "X-Replica-Lag")).isNotNull();
            assertThat(JSON.readTree(response.body().string()).get("identical").asBoolean()).isTrue();
        });
    }

    @Test
    void many_clients_share_two_server_sessions_without_a_failed_read() {
        serveThroughBouncer((vista, client) -> {
            // PgJDBC would prepare a statement run 5 times on one server session and run it on another:
            // prepareThreshold=0 in the read URL keeps every statement unnamed
            var readers = new ArrayList<CompletableFuture<List<Integer>>>();
            for (int i = 0; i < 6; i++) {
                readers.add(CompletableFuture.supplyAsync(() -> {
                    var statuses = new ArrayList<Integer>();
                    for (int n = 0; n < 15; n++) {
                        var response = client.get("/api/reports/visits_summary?user_id=eq." + (n % 4 + 1));
                        statuses.add(header(response, "X-Replica-Lag") == null ? -response.code() : response.code());
                    }
                    return statuses;
                }));
            }
            assertThat(readers.stream().flatMap(r -> r.join().stream())).hasSize(90).containsOnly(200);
        });
    }

    @FunctionalInterface
    interface Case {
        void run(Vista vista, HttpClient client) throws Exception;
    }

    static void serveThroughBouncer(Case test) {
        var url = "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + HotStandby.DATABASE + "?prepareThreshold=0&targetServerType=secondary";
        try (var vista = Vista.over(Config.fromEnvironment(Map.of("VISTA_READ_URL", url)), cluster.primary())) {
            JavalinTest.test(vista.app(), (server, client) -> {
                Await.until("answers read on the standby through pgbouncer", Duration.ofSeconds(20), () -> {
                    var response = client.get("/api/reports/visits_summary");
                    return header(response, "X-Replica-Lag") != null;
                });
                test.run(vista, client);
            });
        }
    }

    static String header(Response response, String name) {
        var values = response.headers().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    static Answered answer(HttpClient client, Ask ask) {
        var response = client.get(ask.path(), ask.headers());
        return new Answered(response.code(), header(response, "Content-Range"), response.body().string());
    }
}
