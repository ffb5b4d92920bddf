package dev.vista.access;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What Vista accepts as the name of a role a request runs as: 1 to 63 bytes (PostgreSQL's NAMEDATALEN - 1) of letters,
 * digits and {@code _ $ - . @}, not starting with {@code pg_} (PostgreSQL's predefined roles, such as
 * {@code pg_read_all_data}, are never a caller). A name is always sent quoted as an identifier too; this check keeps
 * anything else (quotes, semicolons, spaces, control characters) from getting anywhere near SQL.
 */
public final class RoleName {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$.@-]+");
    private static final int MAX_BYTES = 63;

    private RoleName() {
    }

    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES
                && NAME.matcher(name).matches() && !name.toLowerCase(java.util.Locale.ROOT).startsWith("pg_");
    }

    /** The name, or {@link IllegalArgumentException} saying what a role name may be. */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("not a role name Vista runs requests as: 1 to " + MAX_BYTES
                    + " letters, digits or _ $ - . @, not starting with pg_");
        }
        return name;
    }
}
