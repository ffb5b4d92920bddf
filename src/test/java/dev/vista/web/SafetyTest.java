package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Report queries are bounded: a statement timeout answers 504, an exhausted pool 503 within seconds, writes are refused. */
class SafetyTest {

    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("safety");
        TestDatabase.demoData(dataSource).seed(100_000, 100);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void a_query_over_the_statement_timeout_is_cancelled_and_answers_504() {
        var config = Config.fromEnvironment(Map.of("VISTA_STATEMENT_TIMEOUT", "1ms"));
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visit_log?order=email.desc,section");
            assertThat(response.code()).isEqualTo(504);
            assertThat(response.body().string()).isEqualTo("{\"code\":\"statement_timeout\","
                    + "\"message\":\"the query took longer than the statement timeout and was cancelled\",\"details\":null,"
                    + "\"hint\":\"narrow the report with filters, or read it from a materialized source\"}");
            assertThat(client.get("/api/reports/visits_summary/compare").code()).isEqualTo(504);
        });
        // the connection that timed out went back to the pool in a usable state
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) ->
                assertThat(client.get("/api/reports/visit_log?limit=1").code()).isEqualTo(200));
    }

    @Test
    void an_exhausted_connection_pool_answers_503_quickly_instead_of_hanging() throws Exception {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(dataSource.getJdbcUrl());
        hikari.setUsername(dataSource.getUsername());
        hikari.setPassword(dataSource.getPassword());
        hikari.setMaximumPoolSize(1);
        hikari.setConnectionTimeout(500);
        // The only reader connection waits on a lock held here, so the next request finds the pool empty.
        try (var pool = new HikariDataSource(hikari); var locker = dataSource.getConnection()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE page_visits IN ACCESS EXCLUSIVE MODE");
            TestApp.serve(Config.fromEnvironment(Map.of()), pool, (server, client) -> {
                var stuck = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.get("/api/reports/visits_summary?limit=1").code());
                dev.vista.testing.Await.until("the first read waits on the lock", () -> count(locker, "SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
                var started = System.nanoTime();
                var response = client.get("/api/reports/visits_summary?limit=1");
                assertThat(response.code()).isEqualTo(503);
                assertThat(response.body().string()).isEqualTo("{\"code\":\"database_unavailable\","
                        + "\"message\":\"the database is unreachable or busy; try again shortly\",\"details\":null,\"hint\":null}");
                assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
                locker.rollback();
                assertThat(stuck.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the waiting read completes once the lock is gone").isEqualTo(200);
            });
        }
    }

    @Test
    void the_reader_pool_opens_read_only_sessions_with_the_statement_timeout() throws Exception {
        try (var readers = dev.vista.database.ReadSessions.beside(dataSource, java.time.Duration.ofSeconds(7))) {
            // a lone statement runs in autocommit: the settings come from the session, not from a transaction
            var settings = readers.statement(t -> t.resultQuery(
                    "SELECT current_setting('transaction_read_only'), current_setting('statement_timeout')").fetchOne());
            assertThat(List.of(settings.get(0, String.class), settings.get(1, String.class))).containsExactly("on", "7s");
            var write = org.assertj.core.api.Assertions.catchThrowable(() -> readers.statement(t -> t.execute("DELETE FROM page_visits")));
            assertThat(write).hasMessageContaining("cannot execute DELETE in a read-only transaction");
        }
        assertThat(TestDatabase.dsl(dataSource).fetchCount(dev.vista.generated.Tables.PAGE_VISITS)).isEqualTo(100_000);
    }

    private static long count(java.sql.Connection connection, String sql) {
        try (var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void report_reads_run_in_read_only_transactions() {
        var reports = dev.vista.report.Reports.of(dataSource, java.time.Duration.ofSeconds(5));
        String readOnly = reports.read(t -> t.resultQuery("SELECT current_setting('transaction_read_only')").fetchOne(0, String.class));
        String timeout = reports.read(t -> t.resultQuery("SELECT current_setting('statement_timeout')").fetchOne(0, String.class));
        assertThat(readOnly).isEqualTo("on");
        assertThat(timeout).isEqualTo("5s");
    }
}
