package dev.vista.report;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Set;
import org.jooq.Cursor;
import org.jooq.Field;
import org.jooq.Record;

/**
 * How a column's values are read straight from the JDBC result, by the Java type of its field (as jOOQ reads them)
 * and the type PostgreSQL sends: the page and the JSON writer read rows this way instead of through jOOQ records. A
 * reader switches over the kinds; one reader object per column made the call that reads a value megamorphic (four
 * kinds at one call site), an eighth of a 100-row JSON page's time (JFR).
 */
enum ColumnKind {
    LONG, INTEGER, SHORT,
    /** text, varchar, char, name: PostgreSQL's text of them is the string, sent as UTF-8 */
    TEXT,
    /** another type jOOQ reads as a String (citext, a uuid forced to String): read with getString, as jOOQ reads it */
    STRING,
    DECIMAL, BOOLEAN, DATE, MOMENT, LOCAL_MOMENT;

    /** The JDBC types PgJDBC gives PostgreSQL's character types, always sent as text. */
    private static final Set<Integer> TEXT_TYPES = Set.of(Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR);

    /** The driver's own result set under the cursor: through jOOQ's and the pool's wrappers each value costs two more calls. */
    static ResultSet results(Cursor<? extends Record> cursor) throws SQLException {
        return cursor.resultSet().unwrap(ResultSet.class);
    }

    /** The kind of each column, or null when a column has a type without one (then rows go through jOOQ records). */
    static ColumnKind[] of(Field<?>[] fields, ResultSetMetaData columns) throws SQLException {
        var kinds = new ColumnKind[fields.length];
        for (int i = 0; i < fields.length; i++) {
            kinds[i] = of(fields[i].getType(), columns.getColumnType(i + 1));
            if (kinds[i] == null) {
                return null;
            }
        }
        return kinds;
    }

    private static ColumnKind of(Class<?> type, int columnType) {
        if (type == Long.class) {
            return LONG;
        }
        if (type == Integer.class) {
            return INTEGER;
        }
        if (type == Short.class) {
            return SHORT;
        }
        if (type == String.class) {
            return TEXT_TYPES.contains(columnType) ? TEXT : STRING;
        }
        if (type == BigDecimal.class) {
            return DECIMAL;
        }
        if (type == Boolean.class) {
            return BOOLEAN;
        }
        if (type == LocalDate.class) {
            return DATE;
        }
        if (type == OffsetDateTime.class) {
            return MOMENT;
        }
        if (type == LocalDateTime.class) {
            return LOCAL_MOMENT;
        }
        return null;
    }
}
