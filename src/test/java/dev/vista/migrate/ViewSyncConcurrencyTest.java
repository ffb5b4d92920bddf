package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 3, behaviour 9: two migrators starting together on one database (two app instances): one waits, the work is done once. */
class ViewSyncConcurrencyTest {

    HikariDataSource dataSource;
    Catalog catalog;
    // two threads of its own: the common pool may have only one on a small machine
    ExecutorService threads = Executors.newFixedThreadPool(2);

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.fresh("viewsync_concurrency");
        catalog = new Catalog(dataSource);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        dataSource.close();
    }

    @Test
    void two_migrators_at_once_on_a_fresh_database_both_succeed_and_the_second_finds_nothing_to_do() throws Exception {
        var source = ChangelogSource.directory(TestDatabase.projectRoot());
        List<CompletableFuture<Migrator.Result>> migrations;
        // Hold Vista's lock until both migrators are queued behind it, so that they really do start together.
        try (var holder = dataSource.getConnection()) {
            execute(holder, "SELECT pg_advisory_lock(" + Migrator.LOCK + ")");
            migrations = List.of(
                    CompletableFuture.supplyAsync(() -> new Migrator(dataSource, source).migrate(), threads),
                    CompletableFuture.supplyAsync(() -> new Migrator(dataSource, source).migrate(), threads));
            awaitWaiters(holder, 2);
            execute(holder, "SELECT pg_advisory_unlock(" + Migrator.LOCK + ")");
        }

        var results = List.of(migrations.get(0).get(60, TimeUnit.SECONDS), migrations.get(1).get(60, TimeUnit.SECONDS));

        assertThat(results).filteredOn(r -> r.summary().equals("up to date")).hasSize(1);
        var worker = results.stream().filter(r -> !r.changedNothing()).findFirst().orElseThrow();
        assertThat(worker.changesets()).hasSize(5);
        assertThat(worker.create()).hasSize(7);
        assertThat(catalog.changesets()).containsExactly("001-users", "002-page-visits", "003-refresh-history",
                "004-page-visits-visit-date-index", "005-refresh-history-outside", "sync-views");
        assertThat(catalog.managedViews()).hasSize(7);
    }

    private static void awaitWaiters(Connection connection, int waiters) throws Exception {
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (waitingForLock(connection) < waiters) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the migrators never queued for the lock");
            }
            Thread.sleep(10);
        }
    }

    /** Migrators waiting for Vista's advisory lock (a bigint key: its high half in classid, its low half in objid). */
    private static long waitingForLock(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                     + " AND classid::bigint = " + (Migrator.LOCK >>> 32) + " AND objid::bigint = " + (Migrator.LOCK & 0xFFFFFFFFL))) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
