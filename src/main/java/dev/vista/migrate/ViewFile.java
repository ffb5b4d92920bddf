package dev.vista.migrate;

import dev.vista.config.Durations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One view or materialized view, as declared in its file under {@code db/views/}.
 *
 * <p>The file holds a leading comment block and one SELECT. The first comment line is the title, the
 * following ones the description, and {@code -- vista:} lines are options:
 * <pre>
 * -- Sections per day
 * -- Per day and section: visits, distinct users and duration percentiles.
 * -- vista:materialized
 * -- vista:with-no-data
 * -- vista:unique-index visit_date, section
 * -- vista:index section
 * -- vista:refresh 15m
 * -- vista:watermark page_visits.id
 * -- vista:bucket visit_date = (visit_time AT TIME ZONE 'UTC')::date
 * SELECT ...
 * </pre>
 * The view's name is the file's name without {@code .sql}. {@code refresh} is how often the app refreshes it;
 * {@code watermark} and {@code bucket} say how new rows of an append-only table map to the view's buckets (for
 * real-time reads and incremental refresh); {@code incremental} (instead of {@code materialized}) stores the
 * result in a table Vista owns and refreshes only the buckets new rows touched.
 *
 * <p>A plain view declares its key, the report's natural key, with {@code -- vista:key user_id, section}; a
 * materialized view's (or incremental aggregate's) key is its first {@code unique-index}. The key is declared
 * only in the file: the build turns it into jOOQ's synthetic primary key ({@link SyntheticKeys}), which the
 * catalogue, the order tie-breaker and row identity read.
 *
 * <p>Who a plain view reads its tables as: by default its owner (PostgreSQL's default, so the caller's grants and
 * row-level security on those tables do not apply); {@code -- vista:security-invoker} creates it
 * {@code WITH (security_invoker = true)} (PostgreSQL 15+), so they do. {@code -- vista:security-barrier} creates it
 * {@code WITH (security_barrier = true)}: its own WHERE is applied before any condition of the query reading it,
 * the way to restrict the rows of a materialized view (which row-level security cannot) to each caller.
 */
public record ViewFile(String name, String path, String source, Kind kind, String query, String title, String description,
                       boolean withData, List<Index> indexes, String hash, Optional<Duration> refreshEvery, Optional<Buckets> buckets,
                       List<String> key, List<String> viewOptions) {

    /** The {@code WITH (...)} options a plain view can be declared with, as PostgreSQL names them. */
    public static final List<String> VIEW_OPTIONS = List.of("security_barrier", "security_invoker");

    /**
     * How the rows of an append-only table land in this view's buckets: a row whose {@code idColumn} is above the
     * last refresh's watermark touches the bucket named by {@code expression} (over that table's columns), which
     * is the value of the view's {@code column}.
     */
    public record Buckets(String table, String idColumn, String column, String expression) {
    }

    /** The schema of the tables behind incremental aggregates. */
    public static final String INCREMENTAL_SCHEMA = "vista";

    /** An index declared next to a materialized view; {@code unique} ones make REFRESH ... CONCURRENTLY possible. */
    public record Index(boolean unique, List<String> columns) {
        String name(String view) {
            return view + "_" + String.join("_", columns) + (unique ? "_key" : "_idx");
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern IDENTIFIER = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([A-Za-z_][A-Za-z0-9_$]*)");

    public static ViewFile parse(String path, String text) {
        var fileName = path.substring(path.lastIndexOf('/') + 1);
        var name = fileName.endsWith(".sql") ? fileName.substring(0, fileName.length() - 4) : fileName;
        if (!NAME.matcher(name).matches()) {
            throw new MigrationException(path + ": a view file's name must be a lower-case SQL identifier (a-z, 0-9, _) followed by .sql");
        }
        var source = text.replace("\r\n", "\n");
        var lines = source.split("\n", -1);
        var comments = new ArrayList<String>();
        var kind = Kind.VIEW;
        var withData = true;
        var indexes = new ArrayList<Index>();
        List<String> declaredKey = null;
        Optional<Duration> refreshEvery = Optional.empty();
        String[] watermark = null;
        String[] bucket = null;
        var viewOptions = new java.util.TreeSet<String>();
        int body = 0;
        for (; body < lines.length; body++) {
            var line = lines[body].strip();
            if (line.isEmpty() && comments.isEmpty()) {
                continue;
            }
            if (!line.startsWith("--")) {
                break;
            }
            var comment = line.substring(2).strip();
            if (!comment.startsWith("vista:")) {
                comments.add(comment);
                continue;
            }
            var option = comment.substring("vista:".length()).strip();
            var word = option.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            var argument = option.substring(word.length()).strip();
            switch (word) {
                case "materialized" -> kind = Kind.MATERIALIZED_VIEW;
                case "with-no-data" -> withData = false;
                case "unique-index", "index" -> indexes.add(new Index(word.equals("unique-index"), columns(path, word, argument)));
                case "key" -> {
                    if (declaredKey != null) {
                        throw new MigrationException(path + ": declare vista:key once");
                    }
                    declaredKey = columns(path, word, argument);
                }
                case "incremental" -> kind = Kind.INCREMENTAL;
                case "refresh" -> refreshEvery = Optional.of(interval(path, argument));
                case "watermark" -> watermark = argument.split("\\.", -1);
                case "bucket" -> bucket = argument.split("=", 2);
                case "security-invoker", "security-barrier" -> viewOptions.add(word.replace('-', '_'));
                default -> throw new MigrationException(path + ": unknown option 'vista:" + word
                        + "' (known: key, materialized, incremental, with-no-data, unique-index, index, refresh, watermark, bucket,"
                        + " security-invoker, security-barrier)");
            }
        }
        var query = String.join("\n", Arrays.asList(lines).subList(body, lines.length)).strip();
        while (query.endsWith(";")) {
            query = query.substring(0, query.length() - 1).strip();
        }
        if (query.isEmpty()) {
            throw new MigrationException(path + ": no SELECT after the comment block");
        }
        if (kind == Kind.VIEW && (!indexes.isEmpty() || !withData || refreshEvery.isPresent() || watermark != null || bucket != null)) {
            throw new MigrationException(path + ": indexes, with-no-data, refresh, watermark and bucket need '-- vista:materialized' or '-- vista:incremental'");
        }
        if (kind != Kind.VIEW && !viewOptions.isEmpty()) {
            throw new MigrationException(path + ": security-invoker and security-barrier are options of plain views; a materialized view stores"
                    + " its rows, so row-level security and the caller's grants on its tables never apply to it. Restrict it with a plain view over it"
                    + " ('-- vista:security-barrier' and a WHERE on current_setting('request.jwt.claims', true)) and grant roles that view only");
        }
        var key = key(path, kind, declaredKey, indexes);
        var buckets = buckets(path, watermark, bucket);
        if (kind == Kind.INCREMENTAL && (buckets.isEmpty() || !withData || name.equals("managed_views"))) {
            throw new MigrationException(path + ": an incremental aggregate needs '-- vista:watermark table.id' and '-- vista:bucket column = expression',"
                    + " takes no with-no-data, and cannot be named managed_views");
        }
        var title = comments.isEmpty() ? name : comments.getFirst();
        var description = String.join(" ", comments.subList(Math.min(1, comments.size()), comments.size())).strip();
        // options join the hash only when declared, so the views of files without them keep the hash they had
        var hash = sha256(kind + "\n" + withData + "\n" + indexes + (viewOptions.isEmpty() ? "" : "\n" + viewOptions) + "\n" + normalize(query));
        return new ViewFile(name, path, source, kind, query, title, description, withData, List.copyOf(indexes), hash, refreshEvery, buckets, key,
                List.copyOf(viewOptions));
    }

    /** A plain view's key is declared; a materialized view's (or incremental aggregate's) is its first unique index. */
    private static List<String> key(String path, Kind kind, List<String> declared, List<Index> indexes) {
        if (kind == Kind.VIEW) {
            return declared == null ? List.of() : declared;
        }
        if (declared != null) {
            throw new MigrationException(path + ": vista:key is for plain views; the key of a materialized view or incremental aggregate"
                    + " is its first '-- vista:unique-index', so declare the key there");
        }
        return indexes.stream().filter(Index::unique).findFirst().map(Index::columns).orElse(List.of());
    }

    /** How often to refresh: at least a second, written as everywhere else in Vista ({@link Durations}). */
    private static Duration interval(String path, String argument) {
        try {
            var every = Durations.parse(argument);
            if (every.toSeconds() >= 1) {
                return every;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new MigrationException(path + ": vista:refresh takes an interval of at least 1s, " + Durations.FORMS + "; got '" + argument + "'");
    }

    private static Optional<Buckets> buckets(String path, String[] watermark, String[] bucket) {
        if (watermark == null && bucket == null) {
            return Optional.empty();
        }
        if (watermark == null || bucket == null || watermark.length != 2 || bucket.length != 2
                || !NAME.matcher(watermark[0].strip()).matches() || !NAME.matcher(watermark[1].strip()).matches()
                || !NAME.matcher(bucket[0].strip()).matches() || bucket[1].isBlank()) {
            throw new MigrationException(path + ": declare both '-- vista:watermark table.id_column' (an append-only table and its"
                    + " ascending id) and '-- vista:bucket view_column = expression over that table'");
        }
        return Optional.of(new Buckets(watermark[0].strip(), watermark[1].strip(), bucket[0].strip(), bucket[1].strip()));
    }

    private static List<String> columns(String path, String option, String argument) {
        var columns = Arrays.stream(argument.split(",")).map(String::strip).toList();
        for (var column : columns) {
            if (!NAME.matcher(column).matches()) {
                throw new MigrationException(path + ": vista:" + option + " takes plain column names separated by commas, got '" + argument + "'");
            }
        }
        return columns;
    }

    public boolean securityInvoker() {
        return viewOptions.contains("security_invoker");
    }

    /** What COMMENT ON stores: the title, then the description after a blank line. */
    public String comment() {
        return description.isEmpty() ? title : title + "\n\n" + description;
    }

    /** Which of the given names this view's SQL mentions as identifiers (outside strings and comments). */
    Set<String> references(Set<String> names) {
        var found = new LinkedHashSet<String>();
        var matcher = IDENTIFIER.matcher(stripLiterals(query));
        while (matcher.find()) {
            var identifier = matcher.group(1) != null ? matcher.group(1).replace("\"\"", "\"") : matcher.group(2).toLowerCase(Locale.ROOT);
            if (!identifier.equals(name) && names.contains(identifier)) {
                found.add(identifier);
            }
        }
        return found;
    }

    /** Whitespace and comments do not make a view different; everything else does. */
    static String normalize(String sql) {
        return stripComments(sql).replaceAll("\\s+", " ").strip();
    }

    private static String stripComments(String sql) {
        return sql.replaceAll("(?m)--[^\n]*$", "").replaceAll("(?s)/\\*.*?\\*/", " ");
    }

    private static String stripLiterals(String sql) {
        return stripComments(sql).replaceAll("'(?:[^']|'')*'", "''");
    }

    private static String sha256(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
