package dev.vista.report;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jooq.Cursor;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

/**
 * A page of rows as values, in the order of {@code fields}: what a report page shows of a query. Read straight from the
 * JDBC result by each column's type, as {@link JsonRows} reads them (so a page shows the values the JSON API writes):
 * a jOOQ record per row, and a {@code java.sql.Date} per date on the way to {@code LocalDate} (PgJDBC builds those
 * through a Calendar), were a tenth of a report page's time (JFR). A column of another type sends the page through jOOQ
 * records.
 */
public record Rows(List<Field<?>> fields, List<List<Object>> values) {

    public int size() {
        return values.size();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    static Rows of(Cursor<? extends Record> cursor) {
        var fields = List.of(cursor.fields());
        var values = new ArrayList<List<Object>>();
        try {
            var results = ColumnKind.results(cursor);
            var kinds = ColumnKind.of(cursor.fields(), results.getMetaData());
            if (kinds == null) {
                return new Rows(fields, cursor.fetch().map(record -> Arrays.asList(record.intoArray())));
            }
            while (results.next()) {
                var row = new Object[kinds.length];
                for (int i = 0; i < kinds.length; i++) {
                    row[i] = read(kinds[i], results, i + 1);
                }
                values.add(Arrays.asList(row));
            }
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
        return new Rows(fields, values);
    }

    /** One column of the current row as the Java type of its field; null for SQL's null. */
    private static Object read(ColumnKind kind, ResultSet results, int column) throws SQLException {
        Object value = switch (kind) {
            case LONG -> results.getLong(column);
            case INTEGER -> results.getInt(column);
            case SHORT -> results.getShort(column);
            case BOOLEAN -> results.getBoolean(column);
            case TEXT, STRING -> results.getString(column);
            case DECIMAL -> results.getBigDecimal(column);
            case DATE -> {
                var date = results.getBytes(column);
                yield date == null ? null : WireDate.of(date, results, column);
            }
            case MOMENT -> results.getObject(column, OffsetDateTime.class);
            case LOCAL_MOMENT -> results.getObject(column, LocalDateTime.class);
        };
        return results.wasNull() ? null : value;
    }
}
