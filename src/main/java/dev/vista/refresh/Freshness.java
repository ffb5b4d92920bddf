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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How old the rows of stored relations (materialized views and incremental aggregates) are: their last successful
 * refresh, whether they hold data, their schedule, and their rows as of now for those that declare buckets.
 *
 * <p>What PostgreSQL and refresh_history say is read at most once a second (and again right after a refresh through
 * this Vista), so freshness costs report requests nothing measurable; ages are still computed on every call. Each
 * read on the primary first records the refreshes made outside Vista ({@link RefreshHistory#recordOutside}), so a
 * {@code REFRESH MATERIALIZED VIEW} in psql or pg_cron voids the answers Vista keeps within about a second too.
 *
 * <p>Hot standbys see refreshes later than the primary: once they have replayed them. What each standby holds is
 * read on it by the standby sampler, once a second ({@link #sampledOn}), and answers read on a standby say how
 * fresh they are as that standby sees it ({@link #lastRefreshedOn}). The standby's view is read before any read that
 * uses it, and a standby only moves forward, so the rows of such an answer are never older than it says.
 */
public final class Freshness {

    private static final Logger LOG = LoggerFactory.getLogger(Freshness.class);

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
    /** Whether a request is reading a new snapshot now; the others go on with the one before, a second old. */
    private final AtomicBoolean reloading = new AtomicBoolean();
    /** Whether recording a refresh made outside Vista failed once already (and was logged). */
    private final AtomicBoolean outsideUnrecorded = new AtomicBoolean();
    /** Each hot standby's view, by the name VISTA_READ_URL gives it; replaced whenever it is sampled. */
    private final Map<String, Snapshot> standbys = new ConcurrentHashMap<>();

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

    /**
     * When the rows of a stored relation were last refreshed as hot standby {@code standby} sees it, that is among the
     * refreshes it has replayed; empty until its first (replayed) refresh, or before the standby was first sampled.
     */
    public Optional<OffsetDateTime> lastRefreshedOn(String standby, String relation) {
        return Optional.ofNullable(standbys.get(standby)).map(s -> s.lastSuccess().get(relation)).map(RecordedRefresh::finishedAt);
    }

    /** As {@link #lastRefreshedOn(String, String)}, for the least fresh of {@code standbys} (not empty). */
    public Optional<OffsetDateTime> lastRefreshedOn(List<String> standbys, String relation) {
        return standbys.stream().map(standby -> lastRefreshedOn(standby, relation))
                .reduce((a, b) -> a.isEmpty() || b.isEmpty() ? Optional.empty() : a.get().isBefore(b.get()) ? a : b).orElseThrow();
    }

    /**
     * How fresh a stored relation is as the given standbys see it: the least fresh of them, so that an answer read on
     * any one of them is at least that fresh. The primary's view when {@code standbys} is empty.
     */
    public Optional<Summary> summaryOn(List<String> standbys, String relation) {
        var primary = summary(relation);
        if (standbys.isEmpty() || primary.isEmpty()) {
            return primary;
        }
        var views = standbys.stream().map(this.standbys::get).toList();
        if (views.contains(null)) {
            return primary;
        }
        var last = lastRefreshedOn(standbys, relation);
        var summary = primary.get();
        var populated = summary.incremental() ? last.isPresent()
                : views.stream().allMatch(v -> v.catalog().find(relation).map(PgCatalog.Relation::populated).orElse(false));
        return Optional.of(new Summary(relation, populated, last.orElse(null), last.map(Freshness::ageSeconds).orElse(null),
                summary.refreshEvery(), summary.incremental(), summary.realtime()));
    }

    /**
     * Reads what hot standby {@code standby} holds, through {@code session} on it: the standby sampler's call, once a
     * second. The primary's view is brought up to date first: answers read on standbys do not read it, and its look
     * for refreshes made outside Vista writes the record the standbys then replay.
     */
    public void sampledOn(String standby, DSLContext session) {
        try {
            current();
        } catch (DataAccessException e) {
            LOG.debug("could not read the primary's freshness while sampling {}", standby, e); // the standby is still fit to read
        }
        standbys.put(standby, load(session));
    }

    /** Forgets what was read, so the next request sees a refresh that just committed. */
    void invalidate() {
        snapshot.set(null);
    }

    Optional<RecordedRefresh> last(String relation) {
        return Optional.ofNullable(current().lastSuccess().get(relation));
    }

    /**
     * What was read at most a second ago. When it is older, one request reads it again while the others answer from
     * it meanwhile: under load every request would otherwise see it expire at once and read the catalogue and the
     * history too. After {@link #invalidate} (a refresh here) nothing old is left: each request reads until one has.
     */
    private Snapshot current() {
        var current = snapshot.get();
        if (current == null) {
            current = loadPrimary();
            snapshot.compareAndSet(null, current);
        } else if (current.loaded().plus(CACHE_FOR).isBefore(Instant.now()) && reloading.compareAndSet(false, true)) {
            try {
                var loaded = loadPrimary();
                snapshot.compareAndSet(current, loaded); // not over an invalidation that came meanwhile
                current = loaded;
            } finally {
                reloading.set(false);
            }
        }
        return current;
    }

    /** {@link #load} on the primary, after recording the refreshes made outside Vista since the last look. */
    private Snapshot loadPrimary() {
        recordOutsideRefreshes();
        return load(dsl);
    }

    /**
     * Reads the catalogue and the last success of each stored relation, through {@code session}. A
     * materialized view whose rows are not the ones its last recorded success left (its {@code pg_class} xmin moved:
     * refreshed outside Vista, and not recorded yet, as on a standby that has replayed the refresh but not its record)
     * counts as never refreshed until they are: its answers then carry no validator and none is kept.
     */
    private Snapshot load(DSLContext session) {
        var incremental = files.values().stream().filter(f -> f.kind() == Kind.INCREMENTAL).map(ViewFile::name).collect(Collectors.toSet());
        var catalog = PgCatalog.load(session, incremental);
        var names = new HashSet<>(files.keySet());
        catalog.relations().stream().filter(r -> r.kind().stored()).forEach(r -> names.add(r.name()));
        var lastSuccess = new HashMap<>(RefreshHistory.lastSuccesses(session, names));
        lastSuccess.values().removeIf(e -> e.relationXmin() != null && catalog.find(e.view())
                .filter(r -> r.kind() == Kind.MATERIALIZED_VIEW && r.version() != e.relationXmin()).isPresent());
        return new Snapshot(Instant.now(), Map.copyOf(lastSuccess), catalog);
    }

    private void recordOutsideRefreshes() {
        try {
            RefreshHistory.recordOutside(dsl).forEach(view -> LOG.info("{} was refreshed outside Vista's refresher "
                    + "(psql, pg_cron, a migration that rebuilt it); recorded in refresh_history, and its answers are read anew", view));
        } catch (DataAccessException e) {
            if (outsideUnrecorded.compareAndSet(false, true)) {
                LOG.warn("cannot record refreshes made outside Vista ({}): a materialized view refreshed elsewhere is served "
                        + "without validators until Vista refreshes it", e.getMessage());
            }
        }
    }

    static long ageSeconds(OffsetDateTime at) {
        return Math.max(0, Duration.between(at.toInstant(), Instant.now()).toSeconds());
    }
}
