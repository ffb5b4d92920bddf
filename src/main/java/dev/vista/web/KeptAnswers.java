package dev.vista.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vista.report.ReportRead;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * JSON answers of stored rows kept in memory until those rows change, so that asking again what was just answered
 * costs no query. The key is the answer's strong ETag ({@link ConditionalGet}): the exact query, the format, who read
 * it and the refresh its rows are as of. A refresh therefore makes new keys, and a kept answer is one a 304 would
 * vouch for: the same bytes the view would give now. Nothing else is kept: plain views and real-time reads are
 * evaluated on every request, CSV streams from COPY, and answers read with a token are read as its role each time,
 * so that PostgreSQL's grants and row-level security policies apply to every one of them at once. Answers without a
 * token (the connection's own role, or the anonymous role) are kept; for them a revoked grant takes effect when the
 * catalogue sees it ({@link dev.vista.report.Privileges}, within seconds).
 *
 * <p>Bounded by bytes (VISTA_ANSWER_CACHE_MB): answers larger than a sixteenth of it are never kept, and the rest
 * go by Caffeine's eviction (frequency and recency). {@code Cache-Control: no-cache} on a request reads the rows
 * anew, and keeps what it read unless that is kept already. Measured as {@code cache_gets_total{cache="vista_answers"}} and its siblings.
 */
public final class KeptAnswers {

    /** An answer as it went out: what a later request needs to send the same one. */
    record Answer(int status, String contentType, String contentRange, byte[] body, long rows) {
    }

    /** Keeps nothing; every answer is read. */
    public static final KeptAnswers NONE = new KeptAnswers(null, 0);

    private final Cache<String, Answer> answers;
    private final int largest;

    private KeptAnswers(Cache<String, Answer> answers, int largest) {
        this.answers = answers;
        this.largest = largest;
    }

    /** Answers up to {@code megabytes} in all, measured in {@code meters}; none kept at 0. */
    public static KeptAnswers upTo(long megabytes, MeterRegistry meters) {
        if (megabytes == 0) {
            return NONE;
        }
        var bytes = megabytes << 20;
        Cache<String, Answer> cache = Caffeine.newBuilder()
                .maximumWeight(bytes)
                .weigher((String etag, Answer answer) -> etag.length() + answer.body().length)
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "vista_answers");
        return new KeptAnswers(cache, Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, bytes / 16)));
    }

    /** Whether {@code read}'s answer may be kept and found again: stored rows, read as a request without a token reads. */
    boolean keeps(ReportRead read, boolean tokenless) {
        return answers != null && tokenless && read.stored();
    }

    /**
     * Sends the kept answer of {@code etag} when there is one and the request does not ask for the rows anew: the
     * number of its rows, or empty when nothing was sent. The validators and the rows' age are set already, by the
     * same moment the key names.
     */
    OptionalLong sent(Context ctx, String etag) throws IOException {
        var cacheControl = ctx.header(Header.CACHE_CONTROL);
        if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-cache")) {
            return OptionalLong.empty();
        }
        var answer = answers.getIfPresent(etag);
        if (answer == null) {
            return OptionalLong.empty();
        }
        ctx.status(answer.status());
        ctx.contentType(answer.contentType());
        if (answer.contentRange() != null) {
            ctx.header(Header.CONTENT_RANGE, answer.contentRange());
        }
        ctx.outputStream().write(answer.body());
        return OptionalLong.of(answer.rows());
    }

    /**
     * Whether an answer is kept under {@code etag}. One read anew ({@code Cache-Control: no-cache}) is then not copied
     * and kept again: a key names the bytes, so they would be the same.
     */
    boolean holds(String etag) {
        return answers.asMap().containsKey(etag);
    }

    /**
     * {@code out}, with a copy of what goes through it kept for {@link #keep} up to the largest answer kept; writing
     * through it costs one copy of the bytes.
     */
    Copying copying(OutputStream out) {
        return new Copying(out, largest);
    }

    /** Keeps the answer just sent through {@code copy} under the ETag it carried; not when it was too large to keep. */
    void keep(Context ctx, Copying copy, long rows) {
        var etag = ctx.res().getHeader(Header.ETAG);
        var body = copy.bytes();
        if (etag == null || body.isEmpty()) {
            return;
        }
        answers.put(etag, new Answer(ctx.statusCode(), ctx.res().getContentType(), ctx.res().getHeader(Header.CONTENT_RANGE), body.get(), rows));
    }

    /** An output stream that writes through and keeps a copy, until the copy would outgrow {@code limit}. */
    static final class Copying extends OutputStream {

        private final OutputStream out;
        private final int limit;
        private byte[] copy = new byte[8192];
        private int size;

        Copying(OutputStream out, int limit) {
            this.out = out;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (room(1)) {
                copy[size++] = (byte) b;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            if (room(length)) {
                System.arraycopy(bytes, offset, copy, size, length);
                size += length;
            }
        }

        /** Whether {@code length} more bytes fit the copy, growing it; false (and the copy given up) past the limit. */
        private boolean room(int length) {
            if (copy == null) {
                return false;
            }
            if ((long) size + length > limit) {
                copy = null;
                return false;
            }
            if (size + length > copy.length) {
                copy = Arrays.copyOf(copy, (int) Math.min(limit, Math.max((long) size + length, 2L * copy.length)));
            }
            return true;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        /** What went through, when all of it was kept. */
        Optional<byte[]> bytes() {
            return copy == null ? Optional.empty() : Optional.of(Arrays.copyOf(copy, size));
        }
    }
}
