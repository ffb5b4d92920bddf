package dev.vista.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.jooq.DSLContext;
import org.jooq.ResultQuery;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * The talk's slide "what does the aggregation actually do", live: one report query run on each of the report's
 * sources, with the SQL jOOQ sends, PostgreSQL's {@code EXPLAIN (ANALYZE, BUFFERS)} figures, and a digest of
 * the rows in order, so that "the same rows" is checked rather than assumed.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-explain.html">EXPLAIN</a>
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SourceComparison(String report, boolean identical, List<Run> sources) {

    /**
     * One source's run. Times in milliseconds, buffers in 8 kB blocks, as EXPLAIN reports them. {@code formattedSql} is
     * {@code sql} laid out by jOOQ one clause per line, for people (the compare page); JSON carries {@code sql} only. A
     * source the caller's role may not read is not run: {@code permitted} is false and the figures are null.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Run(String source, boolean permitted, String sql, @JsonIgnore String formattedSql, Double planningMs, Double executionMs,
                      String topNode, Long rows, Buffers buffers, String md5) {

        static Run notPermitted(String source) {
            return new Run(source, false, null, null, null, null, null, null, null, null);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Buffers(long sharedHit, long sharedRead, long tempRead, long tempWritten) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code select} on each source of its report that {@code permitted} accepts; {@code identical} compares those. */
    static SourceComparison run(DSLContext t, ReportSelect select, Predicate<Report.Source> permitted) {
        var runs = new ArrayList<Run>();
        var formatted = DSL.using(t.configuration().derive(((Settings) t.settings().clone()).withRenderFormatted(true)));
        for (var source : select.report().sources()) {
            if (!permitted.test(source)) {
                runs.add(Run.notPermitted(source.name()));
                continue;
            }
            var query = select.on(source).rows();
            // EXPLAIN has no DSL in jOOQ: a fixed template around the query, whose values stay bind values
            var explained = t.resultQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {0}", query).fetchOne(0, String.class);
            var plan = read(explained).get(0);
            var top = plan.get("Plan");
            var digest = digest(t, query);
            runs.add(new Run(source.name(), true, t.renderInlined(query), formatted.renderInlined(query), plan.path("Planning Time").asDouble(),
                    plan.path("Execution Time").asDouble(), top.path("Node Type").asText(), digest.rows(),
                    new Buffers(top.path("Shared Hit Blocks").asLong(), top.path("Shared Read Blocks").asLong(),
                            top.path("Temp Read Blocks").asLong(), top.path("Temp Written Blocks").asLong()),
                    digest.md5()));
        }
        var identical = runs.stream().filter(Run::permitted).map(r -> r.md5() + "/" + r.rows()).distinct().count() <= 1;
        return new SourceComparison(select.report().name(), identical, List.copyOf(runs));
    }

    private record Digest(long rows, String md5) {
    }

    /** MD5 over the rows in order, value by value as text, read through a cursor (one row in memory at a time). */
    private static Digest digest(DSLContext t, ResultQuery<?> query) {
        var md5 = md5();
        long rows = 0;
        try (var cursor = t.fetchLazy(query.fetchSize(Reports.FETCH_SIZE))) {
            for (var record : cursor) {
                for (int i = 0; i < record.size(); i++) {
                    var value = record.get(i);
                    md5.update((value == null ? "\u0000" : value.toString()).getBytes(StandardCharsets.UTF_8));
                    md5.update((byte) 0x1f);
                }
                md5.update((byte) 0x1e);
                rows++;
            }
        }
        return new Digest(rows, HexFormat.of().formatHex(md5.digest()));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("EXPLAIN returned JSON that does not parse", e);
        }
    }
}
