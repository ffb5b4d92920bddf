package dev.vista.bench;

import dev.vista.database.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients reading one query over plain JDBC in a closed loop, each on a connection of its own (outside the pool),
 * the statement prepared and every value read, for as long as some other work runs. Their latencies tell how
 * long readers wait meanwhile; their count per second, with nothing else running, is the database's own limit.
 */
final class JdbcReaders {

    /** Every read's latency in milliseconds, and the seconds the readers read for. */
    record Reads(Timings.Samples latencies, double seconds) {
        int count() {
            return latencies.millis().size();
        }

        double perSecond() {
            return count() / seconds;
        }
    }

    private JdbcReaders() {
    }

    /** The reads of {@code clients} readers of {@code sql} during {@code duration} with nothing else running. */
    static Reads idle(Database database, String sql, int clients, Duration duration) throws Exception {
        return during(database, sql, clients, () -> Thread.sleep(duration));
    }

    /** The reads of {@code clients} readers of {@code sql} while {@code work} runs (they connect before it starts). */
    static Reads during(Database database, String sql, int clients, Timings.Work work) throws Exception {
        var connections = new ArrayList<Connection>();
        try {
            for (int c = 0; c < clients; c++) {
                connections.add(DriverManager.getConnection(database.jdbcUrl(), database.user(), database.dataSource().getPassword()));
            }
            var latencies = Collections.synchronizedList(new ArrayList<Double>());
            var running = new CountDownLatch(clients);
            var stop = new AtomicBoolean();
            var readers = new ArrayList<Future<?>>();
            try (var pool = Executors.newFixedThreadPool(clients)) {
                for (var connection : connections) {
                    readers.add(pool.submit(() -> {
                        running.countDown();
                        var mine = new ArrayList<Double>();
                        try (var statement = connection.prepareStatement(sql)) {
                            do { // at least one read each, however short the work
                                mine.add(Timings.time(() -> {
                                    try (var rows = statement.executeQuery()) {
                                        Jdbc.readAll(rows);
                                    }
                                }));
                            } while (!stop.get());
                        }
                        latencies.addAll(mine);
                        return null;
                    }));
                }
                running.await();
                var started = System.nanoTime();
                try {
                    work.run();
                } finally {
                    stop.set(true);
                }
                var seconds = (System.nanoTime() - started) / 1e9;
                for (var reader : readers) {
                    reader.get(); // a reader's failure is the benchmark's
                }
                return new Reads(new Timings.Samples(sql, List.copyOf(latencies)), seconds);
            }
        } finally {
            for (var connection : connections) {
                connection.close();
            }
        }
    }
}
