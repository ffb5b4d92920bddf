package dev.vista.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchedStandardErrorTest {

    /** What reaches the real standard error, and in how many writes. */
    private static final class Written extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void lines_flushed_one_by_one_go_out_in_batches_within_the_interval_every_one_in_order() {
        var written = new Written();
        var expected = new StringBuilder();
        try (var batched = BatchedStandardError.writingTo(written)) {
            var err = new PrintStream(batched, false, StandardCharsets.UTF_8);
            for (int i = 0; i < 1000; i++) {
                var line = "12:00:00.000 INFO RequestMetrics - method=GET route=/api/reports/{name} status=200 ms=0.4 request=" + i;
                err.println(line); // as slf4j-simple writes a line: println, then flush
                err.flush();
                expected.append(line).append(System.lineSeparator());
            }
            var large = "x".repeat(100_000); // more than a batch holds: written out whole, after what came before it
            err.println(large);
            err.flush();
            expected.append(large).append(System.lineSeparator());
            err.println("after");
            err.flush();
            expected.append("after").append(System.lineSeparator());
            Await.until("the lines written out", Duration.ofSeconds(5), () -> written.text().length() == expected.length());
            assertThat(written.text()).isEqualTo(expected.toString());
            assertThat(written.writes.get()).as("writes for 1,002 lines").isLessThan(100);
        }
    }

    @Test
    void drain_writes_out_what_waits_at_once() {
        var written = new Written();
        try (var batched = BatchedStandardError.writingTo(written)) {
            var err = new PrintStream(batched, false, StandardCharsets.UTF_8);
            err.println("Vista stopped");
            err.flush();
            batched.drain();
            assertThat(written.text()).isEqualTo("Vista stopped" + System.lineSeparator());
        }
    }
}
