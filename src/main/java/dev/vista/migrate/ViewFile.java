package dev.vista.migrate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * SELECT ...
 * </pre>
 * The view's name is the file's name without {@code .sql}.
 */
public record ViewFile(String name, String path, String source, Kind kind, String query, String title, String description,
                       boolean withData, List<Index> indexes, String hash) {

    public enum Kind {
        VIEW, MATERIALIZED_VIEW;

        String sql() {
            return this == VIEW ? "VIEW" : "MATERIALIZED VIEW";
        }
    }

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
                case "unique-index", "index" -> indexes.add(new Index(word.equals("unique-index"), columns(path, argument)));
                default -> throw new MigrationException(path + ": unknown option 'vista:" + word
                        + "' (known: materialized, with-no-data, unique-index, index)");
            }
        }
        var query = String.join("\n", Arrays.asList(lines).subList(body, lines.length)).strip();
        while (query.endsWith(";")) {
            query = query.substring(0, query.length() - 1).strip();
        }
        if (query.isEmpty()) {
            throw new MigrationException(path + ": no SELECT after the comment block");
        }
        if (kind == Kind.VIEW && (!indexes.isEmpty() || !withData)) {
            throw new MigrationException(path + ": indexes and with-no-data need '-- vista:materialized'");
        }
        var title = comments.isEmpty() ? name : comments.getFirst();
        var description = String.join(" ", comments.subList(Math.min(1, comments.size()), comments.size())).strip();
        var hash = sha256(kind + "\n" + withData + "\n" + indexes + "\n" + normalize(query));
        return new ViewFile(name, path, source, kind, query, title, description, withData, List.copyOf(indexes), hash);
    }

    private static List<String> columns(String path, String argument) {
        var columns = Arrays.stream(argument.split(",")).map(String::strip).toList();
        for (var column : columns) {
            if (!NAME.matcher(column).matches()) {
                throw new MigrationException(path + ": index columns must be plain column names, got '" + argument + "'");
            }
        }
        return columns;
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
