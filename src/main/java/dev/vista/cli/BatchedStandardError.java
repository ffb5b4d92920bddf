package dev.vista.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Standard error for a serving process: what is logged reaches the terminal (or whatever collects the log) within
 * {@link #EVERY}, a batch of lines a write, instead of one {@code write(2)} a line. slf4j-simple flushes after every
 * line, and with a request log line per request that system call was 4% of Vista's CPU for a 100-row page under load
 * (async-profiler, {@code wrk -c8}), and it ran before the response went out. Request logs are written this way
 * elsewhere too: nginx's {@code access_log ... buffer= flush=}, Jetty's {@code AsyncRequestLogWriter}, PostgREST's
 * fast-logger.
 *
 * <p>Nothing is lost when the process stops: {@link #drain} runs once Vista has closed, after its last line. A process
 * killed outright ({@code kill -9}) loses at most the lines of its last {@link #EVERY}.
 */
final class BatchedStandardError extends OutputStream {

    /** The longest a line waits: the log still reads as live to whoever watches it. */
    static final Duration EVERY = Duration.ofMillis(50);

    private final OutputStream out;
    private final byte[] buffer = new byte[64 * 1024];
    private final ReentrantLock lock = new ReentrantLock();
    private int length;
    private Thread writer;

    private BatchedStandardError(OutputStream out) {
        this.out = out;
    }

    /** Makes {@link System#err} batched from now on; returns the stream to drain at the end. */
    static BatchedStandardError install() {
        var batched = writingTo(new FileOutputStream(FileDescriptor.err));
        System.setErr(new PrintStream(batched, false, StandardCharsets.UTF_8));
        return batched;
    }

    /** A batched stream over {@code out}, written out every {@link #EVERY} by a daemon thread until it is closed. */
    static BatchedStandardError writingTo(OutputStream out) {
        var batched = new BatchedStandardError(out);
        batched.writer = Thread.ofPlatform().daemon().name("vista-stderr").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(EVERY);
                } catch (InterruptedException e) {
                    return;
                }
                batched.drain();
            }
        });
        return batched;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        lock.lock();
        try {
            if (count > buffer.length - length) {
                writeOut();
            }
            if (count > buffer.length) {
                out.write(bytes, offset, count);
            } else {
                System.arraycopy(bytes, offset, buffer, length, count);
                length += count;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Nothing at once: the batch goes out within {@link #EVERY} (slf4j-simple flushes after every line). */
    @Override
    public void flush() {
    }

    /** Writes out what is waiting; a failure to write standard error is nobody's to report, so it is dropped. */
    void drain() {
        lock.lock();
        try {
            writeOut();
        } catch (IOException e) {
            length = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Stops writing out every {@link #EVERY}, and writes out what is waiting. */
    @Override
    public void close() {
        writer.interrupt();
        drain();
    }

    private void writeOut() throws IOException {
        if (length > 0) {
            out.write(buffer, 0, length);
            length = 0;
        }
    }
}
