package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.DatabaseConfig;
import dev.vista.database.Database;
import dev.vista.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's readers, held up by a lock for 300 ms: a closed-loop reader waits once and reads on, while a paced
 * reader owes every read that fell due meanwhile and counts each from when it was due, so the lock shows in many
 * of its latencies, not in one.
 */
class JdbcReadersTest {

    private static final String READ = "SELECT x FROM held";
    private static final long HELD_MILLIS = 300;

    static HikariDataSource pool;
    static Database database;

    @BeforeAll
    static void database() throws Exception {
        pool = TestDatabase.fresh("jdbc_readers");
        database = Database.open(new DatabaseConfig(Optional.of(pool.getJdbcUrl()), pool.getUsername(), pool.getPassword(), Path.of("unused"), 2));
        Jdbc.exec(pool, "CREATE TABLE held AS SELECT 1 AS x");
    }

    @AfterAll
    static void close() {
        database.close();
        pool.close();
    }

    @Test
    void a_paced_reader_held_up_counts_every_read_that_fell_due_from_when_it_was_due() throws Exception {
        var reads = JdbcReaders.paced(database, READ, 2, 200, JdbcReadersTest::holdTheTable);

        var late = reads.latencies().millis().stream().filter(m -> m >= 100).count();
        // 2 readers, a read due every 10 ms each: about 20 each fell due in the lock's first 200 ms
        assertThat(late).isGreaterThanOrEqualTo(20);
        assertThat(reads.latencies().max()).isGreaterThanOrEqualTo(HELD_MILLIS - 50);
        // and they were all made: the count is the pace's, not the lock's
        assertThat(reads.count()).isBetween(2 * 35, 2 * 60);
    }

    @Test
    void a_closed_loop_reader_held_up_waits_once() throws Exception {
        var reads = JdbcReaders.during(database, READ, 2, JdbcReadersTest::holdTheTable);

        var late = reads.latencies().millis().stream().filter(m -> m >= 100).count();
        assertThat(late).isBetween(1L, 2L);
        assertThat(reads.latencies().max()).isGreaterThanOrEqualTo(HELD_MILLIS - 50);
    }

    /** 100 ms of reads, the table locked against them for 300 ms, 100 ms more. */
    private static void holdTheTable() throws Exception {
        Thread.sleep(100);
        try (var connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (var statement = connection.createStatement()) {
                statement.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
            }
            Thread.sleep(HELD_MILLIS);
            connection.commit();
        }
        Thread.sleep(100);
    }
}
