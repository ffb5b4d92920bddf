package dev.vista.report;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
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
        var readers = new Reader[fields.size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = reader(fields.get(i).getType());
            if (readers[i] == null) {
                return new Rows(fields, cursor.fetch().map(record -> Arrays.asList(record.intoArray())));
            }
        }
        var values = new ArrayList<List<Object>>();
        try {
            var results = cursor.resultSet();
            while (results.next()) {
                var row = new Object[readers.length];
                for (int i = 0; i < readers.length; i++) {
                    row[i] = readers[i].read(results, i + 1);
                }
                values.add(Arrays.asList(row));
            }
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
        return new Rows(fields, values);
    }

    /** Reads one column of the current row as the Java type of its field. */
    @FunctionalInterface
    private interface Reader {
        Object read(ResultSet results, int index) throws SQLException;
    }

    private static Reader reader(Class<?> type) {
        if (type == Long.class) {
            return (rs, i) -> {
                var value = rs.getLong(i);
                return rs.wasNull() ? null : value;
            };
        }
        if (type == Integer.class) {
            return (rs, i) -> {
                var value = rs.getInt(i);
                return rs.wasNull() ? null : value;
            };
        }
        if (type == Boolean.class) {
            return (rs, i) -> {
                var value = rs.getBoolean(i);
                return rs.wasNull() ? null : value;
            };
        }
        if (type == String.class) {
            return ResultSet::getString;
        }
        if (type == BigDecimal.class) {
            return ResultSet::getBigDecimal;
        }
        if (type == LocalDate.class || type == OffsetDateTime.class || type == LocalDateTime.class) {
            return (rs, i) -> rs.getObject(i, type);
        }
        return null;
    }
}
