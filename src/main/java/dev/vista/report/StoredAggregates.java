package dev.vista.report;

import dev.vista.access.Caller;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a report page adds up over the whole filtered result (facets, chart, total) when its rows are stored ones,
 * kept until those rows change. The key holds everything the answer depends on: who reads (role and claims, since
 * row-level security may differ), the report and source, the filters that part depends on, and the moment the stored
 * rows are as of (their last refresh). A refresh therefore makes new keys, and nothing from here is older than the
 * rows beside it; paging and sorting through a stored report recompute none of it. A part that timed out is not kept.
 * Bounded: the least recently used entries go first.
 */
final class StoredAggregates {

    record Key(Caller caller, String report, String source, String part, List<ReportQuery.Filter> filters, OffsetDateTime asOf) {
    }

    private static final int CAPACITY = 2_000;

    private final Map<Key, Object> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The part for {@code key} when it is kept. */
    @SuppressWarnings("unchecked")
    <T> Optional<T> find(Key key) {
        synchronized (entries) {
            return Optional.ofNullable((T) entries.get(key));
        }
    }

    /**
     * The part for {@code key}: kept, or computed (outside the lock, so parts of one page compute side by side) and
     * kept when {@code keep} says it is complete.
     */
    @SuppressWarnings("unchecked")
    <T> T get(Key key, Supplier<T> compute, Predicate<T> keep) {
        synchronized (entries) {
            var kept = entries.get(key);
            if (kept != null) {
                return (T) kept;
            }
        }
        var value = compute.get();
        if (keep.test(value)) {
            synchronized (entries) {
                entries.put(key, value);
            }
        }
        return value;
    }
}
