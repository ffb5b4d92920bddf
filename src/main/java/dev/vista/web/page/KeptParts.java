package dev.vista.web.page;

import gg.jte.Content;
import gg.jte.TemplateOutput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Parts of the report page rendered once for the values they show, kept as UTF-8 bytes: the chart, the facets and the
 * filter form show what PostgreSQL added up over the whole filtered result, which for a stored report changes only when
 * it is refreshed (those aggregates are kept too: see {@code report.StoredAggregates}), while the page's rows change with
 * every page. Rendering these parts was about a third of a report page's own work (JFR; see BENCHMARKS.md).
 * <p>
 * The key holds everything a part is rendered from: the kept aggregates themselves (compared by identity: a refresh
 * keeps new ones, hence new keys, so nothing has to be told to forget) and the query its links are written from.
 * Bounded: the least recently used parts go first.
 */
final class KeptParts {

    /** A rendered part, written into a page as it is: JTE escaped its values when it was rendered. */
    record Rendered(byte[] html) implements Content {

        @Override
        public void writeTo(TemplateOutput output) {
            output.writeBinaryContent(html);
        }
    }

    private final Map<Object, Rendered> parts;

    KeptParts(int capacity) {
        parts = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Rendered> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The part for {@code key}: kept, or rendered by {@code render} (outside the lock) and kept. */
    Rendered get(Object key, Supplier<byte[]> render) {
        synchronized (parts) {
            var kept = parts.get(key);
            if (kept != null) {
                return kept;
            }
        }
        var rendered = new Rendered(render.get());
        synchronized (parts) {
            parts.put(key, rendered);
        }
        return rendered;
    }
}
