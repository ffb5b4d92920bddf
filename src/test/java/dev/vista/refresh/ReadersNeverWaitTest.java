package dev.vista.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.TestConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Readers never wait for a concurrent refresh: while REFRESH MATERIALIZED VIEW CONCURRENTLY section_daily runs over
 * 300k visits, report requests hit it from several threads, and a monitor on its own connection samples
 * pg_stat_activity for report backends waiting on a lock. None ever is. The same harness around a plain REFRESH
 * (which takes ACCESS EXCLUSIVE) does see them waiting: the monitor is not blind. Latencies are printed.
 */
class ReadersNeverWaitTest {

    static final int VISITS = 1_000_000;
    static final int READERS = 6;

    static HikariDataSource readers;
    static HikariDataSource refreshes;
    static DSLContext dsl;

    record Sample(long startNanos, long endNanos, int status) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    record Run(List<Sample> samples, int maxWaitingReaders, long refreshStart, long refreshEnd) {
        List<Sample> during() {
            return samples.stream().filter(s -> s.startNanos() >= refreshStart && s.startNanos() < refreshEnd).toList();
        }
    }

    @BeforeAll
    static void database() {
        readers = TestDatabase.migrated("readers_never_wait");
        dsl = TestDatabase.dsl(readers);
        TestDatabase.demoData(readers).seed(VISITS, 1000);
        var config = new HikariConfig();
        config.setJdbcUrl(readers.getJdbcUrl());
        config.setUsername(readers.getUsername());
        config.setPassword(readers.getPassword());
        config.setMaximumPoolSize(3);
        refreshes = new HikariDataSource(config);
    }

    @AfterAll
    static void close() {
        refreshes.close();
        readers.close();
    }

    @Test
    void report_requests_never_wait_on_a_concurrent_refresh_of_section_daily() {
        var refresher = RefreshTesting.refresher(refreshes);
        // Logs not captured: the latency figures below are part of the result.
        // every request reads (VISTA_ANSWER_CACHE_MB=0): an answer kept since the refresh would wait on nothing at all
        TestApp.serve(Config.fromEnvironment(Map.of("VISTA_ANSWER_CACHE_MB", "0")), readers, new TestConfig(true, false), (server, client) -> {
            hammer(client, 20, () -> { }); // warm up the JIT, the pool and PostgreSQL's caches
            var idle = hammer(client, 40, () -> { });
            var concurrent = hammer(client, 0, () -> refresher.refresh(RefreshRequest.of("section_daily").asConcurrent()));
            var plain = hammer(client, 0, () -> refresher.refresh(RefreshRequest.of("section_daily")));

            System.out.printf("[readers never wait] %,d visits, %d reader threads on GET /api/reports/section_daily%n", VISITS, READERS);
            report("idle", idle.samples(), 0);
            report("during REFRESH ... CONCURRENTLY", concurrent.during(), concurrent.refreshEnd() - concurrent.refreshStart());
            report("during plain REFRESH (control)", plain.during(), plain.refreshEnd() - plain.refreshStart());

            assertThat(concurrent.samples()).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(concurrent.during()).as("requests served while the concurrent refresh ran").hasSizeGreaterThanOrEqualTo(20);
            assertThat(concurrent.maxWaitingReaders()).as("report backends seen waiting on a lock during REFRESH ... CONCURRENTLY").isZero();
            assertThat(plain.maxWaitingReaders()).as("report backends seen waiting on a lock during a plain REFRESH").isPositive();
        });
    }

    /**
     * Runs READERS threads of report requests: {@code perThread} each when there is no refresh, otherwise until the
     * refresh has finished. A monitor connection samples, all along, how many other non-refresh backends wait on a lock.
     */
    private static Run hammer(HttpClient client, int perThread, Runnable refresh) throws Exception {
        var samples = new ConcurrentLinkedQueue<Sample>();
        var done = new AtomicBoolean();
        var maxWaiting = new AtomicInteger();
        var readersStarted = new java.util.concurrent.CountDownLatch(READERS);
        try (var pool = Executors.newFixedThreadPool(READERS + 1); var monitor = readers.getConnection()) {
            var monitoring = CompletableFuture.runAsync(() -> {
                var m = TestDatabase.dsl(readers).configuration().derive(new org.jooq.impl.DefaultConnectionProvider(monitor)).dsl();
                while (!done.get()) {
                    var waiting = m.resultQuery("""
                            SELECT count(*) FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                              AND application_name NOT LIKE 'vista refresh%'
                            """).fetchOne(0, Integer.class);
                    maxWaiting.accumulateAndGet(waiting, Math::max);
                }
            }, pool);
            var readerTasks = new ArrayList<CompletableFuture<Void>>();
            for (int t = 0; t < READERS; t++) {
                readerTasks.add(CompletableFuture.runAsync(() -> {
                    readersStarted.countDown();
                    for (int i = 0; perThread > 0 ? i < perThread : !done.get(); i++) {
                        var start = System.nanoTime();
                        var response = client.get("/api/reports/section_daily");
                        response.body().string();
                        samples.add(new Sample(start, System.nanoTime(), response.code()));
                    }
                }, pool));
            }
            readersStarted.await();
            var refreshStart = System.nanoTime();
            if (perThread == 0) {
                refresh.run();
                done.set(true);
            }
            var refreshEnd = System.nanoTime();
            CompletableFuture.allOf(readerTasks.toArray(CompletableFuture[]::new)).join();
            done.set(true);
            monitoring.join();
            return new Run(List.copyOf(samples), maxWaiting.get(), refreshStart, refreshEnd);
        }
    }

    private static void report(String label, List<Sample> samples, long refreshNanos) {
        var millis = new ArrayList<>(samples.stream().map(Sample::millis).toList());
        Collections.sort(millis);
        System.out.printf("[readers never wait] %-34s %4d requests  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%s%n", label, millis.size(),
                percentile(millis, 0.50), percentile(millis, 0.99), millis.isEmpty() ? 0 : millis.getLast(),
                refreshNanos == 0 ? "" : "  (refresh took %,d ms)".formatted(refreshNanos / 1_000_000));
    }

    static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
