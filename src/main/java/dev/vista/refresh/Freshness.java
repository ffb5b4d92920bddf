package dev.vista.refresh;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.vista.config.Durations;
import dev.vista.migrate.Kind;
import dev.vista.migrate.PgCatalog;
import dev.vista.migrate.ViewFile;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Table;

/**
 * How old the rows of stored relations (materialized views and incremental aggregates) are: their last successful
 * refresh, whether they hold data, their schedule, and their rows as of now for those that declare buckets.
 *
 * <p>What PostgreSQL and refresh_history say is read at most once a second (and again right after a refresh through
 * this Vista), so freshness costs report requests nothing measurable; ages are still computed on every call.
 */
public final class Freshness {

    private static final Duration CACHE_FOR = Duration.ofSeconds(1);

    /**
     * A stored relation as the catalogue shows it. {@code lastRefreshedAt} and {@code ageSeconds} are null until
     * its first refresh; {@code refreshEvery} is its schedule, {@code realtime} whether it can be read as of now.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(String relation, boolean populated, OffsetDateTime lastRefreshedAt, Long ageSeconds, String refreshEvery,
                          boolean incremental, boolean realtime) {
    }

    private record Snapshot(Instant loaded, Map<String, RecordedRefresh> lastSuccess, PgCatalog catalog) {
    }

    private final DSLContext dsl;
    private final Map<String, ViewFile> files;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    /** @param files db/views, parsed: where schedules, buckets and incremental aggregates are declared */
    public Freshness(DSLContext dsl, List<ViewFile> files) {
        this.dsl = dsl;
        this.files = files.stream().filter(f -> f.kind().stored())
                .collect(Collectors.toUnmodifiableMap(ViewFile::name, Function.identity(), (a, b) -> a));
    }

    /** Whether {@code relation} keeps stored rows whose age is tracked: a materialized view or an incremental aggregate. */
    public boolean tracks(String relation) {
        return files.containsKey(relation) || current().catalog().find(relation).filter(r -> r.kind() == Kind.MATERIALIZED_VIEW).isPresent();
    }

    /** When the rows of a stored relation were last refreshed; empty until its first successful refresh. */
    public Optional<OffsetDateTime> lastRefreshed(String relation) {
        return last(relation).map(RecordedRefresh::finishedAt);
    }

    /**
     * A stored relation's rows as they would be computed now, for one that declares its buckets ({@code --
     * vista:watermark} and {@code -- vista:bucket}): stored rows of the untouched buckets united with the touched ones
     * recomputed, in one statement. Empty for a relation without buckets.
     */
    public Optional<Table<?>> realtime(Table<?> stored) {
        var file = Optional.ofNullable(files.get(stored.getName())).filter(f -> f.buckets().isPresent());
        return file.map(f -> BucketQueries.realtime(stored, f, last(f.name())
                .filter(e -> e.watermark() != null && e.baseFilenode() != null)
                .map(e -> new Watermark(e.watermark(), e.baseFilenode()))));
    }

    /** The relations that {@link #realtime} can read as of now, by name. */
    public List<String> realtimeRelations() {
        return files.values().stream().filter(f -> f.buckets().isPresent()).map(ViewFile::name).sorted().toList();
    }

    /** How fresh a stored relation is; empty for one that stores nothing. */
    public Optional<Summary> summary(String relation) {
        if (!tracks(relation)) {
            return Optional.empty();
        }
        var file = Optional.ofNullable(files.get(relation));
        var last = lastRefreshed(relation);
        var incremental = file.filter(f -> f.kind() == Kind.INCREMENTAL).isPresent();
        var populated = incremental ? last.isPresent() : current().catalog().find(relation).map(PgCatalog.Relation::populated).orElse(false);
        return Optional.of(new Summary(relation, populated, last.orElse(null), last.map(Freshness::ageSeconds).orElse(null),
                file.flatMap(ViewFile::refreshEvery).map(Durations::format).orElse(null), incremental,
                file.flatMap(ViewFile::buckets).isPresent()));
    }

    /** Forgets what was read, so the next request sees a refresh that just committed. */
    void invalidate() {
        snapshot.set(null);
    }

    Optional<RecordedRefresh> last(String relation) {
        return Optional.ofNullable(current().lastSuccess().get(relation));
    }

    private Snapshot current() {
        var current = snapshot.get();
        if (current == null || current.loaded().plus(CACHE_FOR).isBefore(Instant.now())) {
            var incremental = files.values().stream().filter(f -> f.kind() == Kind.INCREMENTAL).map(ViewFile::name).collect(Collectors.toSet());
            var catalog = PgCatalog.load(dsl, incremental);
            var names = new HashSet<>(files.keySet());
            catalog.relations().stream().filter(r -> r.kind().stored()).forEach(r -> names.add(r.name()));
            current = new Snapshot(Instant.now(), Map.copyOf(RefreshHistory.lastSuccesses(dsl, names)), catalog);
            snapshot.set(current);
        }
        return current;
    }

    static long ageSeconds(OffsetDateTime at) {
        return Math.max(0, Duration.between(at.toInstant(), Instant.now()).toSeconds());
    }
}
