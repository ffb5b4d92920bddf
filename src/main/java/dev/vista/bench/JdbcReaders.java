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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Clients reading one query over plain JDBC, each on a connection of its own (outside the pool), the statement
 * prepared and every value read, for as long as some other work runs. In a closed loop (each read as soon as the
 * last one ended) their count per second, with nothing else running, is the database's own limit; paced (reads
 * due at a steady rate, as users arrive) their latencies tell how long a reader waits meanwhile.
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

    /** The reads of {@code clients} readers of {@code sql} in a closed loop while {@code work} runs (they connect before it starts). */
    static Reads during(Database database, String sql, int clients, Timings.Work work) throws Exception {
        return during(database, sql, clients, 0, work);
    }

    /**
     * The reads of {@code clients} readers of {@code sql} while {@code work} runs, {@code perSecond} reads due between
     * them at a steady pace. A read's latency counts from when it was due, not from when a late reader got to it, so
     * a reader held up by the work is not excused for the reads it could not start (wrk2's coordinated omission).
     */
    static Reads paced(Database database, String sql, int clients, double perSecond, Timings.Work work) throws Exception {
        return during(database, sql, clients, (long) (clients * 1e9 / perSecond), work);
    }

    /** {@code interval}: nanoseconds between one reader's reads from one due time to the next; 0 for a closed loop. */
    private static Reads during(Database database, String sql, int clients, long interval, Timings.Work work) throws Exception {
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
                            var due = System.nanoTime() + ThreadLocalRandom.current().nextLong(Math.max(1, interval)); // readers out of step
                            do { // at least one read each, however short the work
                                if (interval == 0) {
                                    due = System.nanoTime();
                                } else {
                                    LockSupport.parkNanos(due - System.nanoTime());
                                }
                                try (var rows = statement.executeQuery()) {
                                    Jdbc.readAll(rows);
                                }
                                mine.add((System.nanoTime() - due) / 1e6);
                                due += interval;
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
