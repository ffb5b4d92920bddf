package dev.vista.refresh;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.Await;
import dev.vista.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/** What the refresh tests share: a refresher over the project's db/views, and ways to observe other sessions. */
final class RefreshTesting {

    private RefreshTesting() {
    }

    static Refresher refresher(DataSource dataSource) {
        return TestDatabase.refresher(dataSource);
    }

    static Refresher refresher(DataSource dataSource, Duration timeout, Duration fenceTimeout) {
        return TestDatabase.refresher(dataSource, timeout, fenceTimeout);
    }

    /** Waits until a backend whose application_name starts with {@code applicationName} waits on a lock of the given type. */
    static int awaitWaitingOnLock(DSLContext dsl, String applicationName, String waitEvent) {
        var pid = new int[1];
        Await.until(applicationName + " waiting on a " + waitEvent + " lock", () -> {
            var found = dsl.resultQuery("""
                    SELECT pid FROM pg_stat_activity
                    WHERE application_name LIKE ? || '%' AND wait_event_type = 'Lock' AND wait_event = ?
                    """, applicationName, waitEvent).fetchOptional(0, Integer.class);
            found.ifPresent(p -> pid[0] = p);
            return found.isPresent();
        });
        return pid[0];
    }

    /**
     * A migrated, seeded database with {@code fragile}, a materialized view of 100 / (rows of {@code fragile_input}),
     * holding one row: its refresh fails (division by zero) while {@code fragile_input} is empty.
     */
    static HikariDataSource withFragileView(String purpose) {
        var dataSource = TestDatabase.migrated(purpose);
        TestDatabase.demoData(dataSource).seedIfEmpty();
        TestDatabase.dsl(dataSource).execute("""
                CREATE TABLE fragile_input (n int);
                INSERT INTO fragile_input VALUES (1);
                CREATE MATERIALIZED VIEW fragile AS SELECT 100 / (SELECT count(*) FROM fragile_input) AS x;
                """);
        return dataSource;
    }

    /** A connection in an open transaction that has read {@code relation}, so it holds ACCESS SHARE on it until closed. */
    static Connection readingInOpenTransaction(DataSource dataSource, String relation) throws SQLException {
        var connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        try (var statement = connection.createStatement()) {
            statement.execute("SELECT count(*) FROM " + relation);
        }
        return connection;
    }
}
