package dev.vista.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import org.jooq.Cursor;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

// Writes rows as a JSON array of objects straight from a jOOQ cursor, one row in memory at a time.
public final class JsonRows {

    // A response cut short by an error must not look complete: no closing brackets are added on close. Its buffers
    // come from a pool shared by all threads: Jackson's default keeps them per thread, and every request has a virtual
    // thread of its own, so each response would allocate them anew (a tenth of the time of writing a 100-row page).
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .build();

    private JsonRows() {
    }

    public static long write(Cursor<? extends Record> cursor, OutputStream out) throws IOException {
        var columns = columns(cursor.fields());
        if (columns == null) {
            return writeRecords(cursor, out);
        }
        // Straight from the JDBC result set, each column read by its type: no jOOQ record per row and no
        // java.sql.Date on the way (PgJDBC builds those through a Calendar), the same JSON as writeValue writes.
        long rows = 0;
        try (JsonGenerator json = JSON.createGenerator(out)) {
            var names = names(cursor);
            var results = cursor.resultSet();
            json.writeStartArray();
            while (results.next()) {
                json.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    json.writeFieldName(names[i]);
                    columns[i].write(json, results, i + 1);
                }
                json.writeEndObject();
                rows++;
            }
            json.writeEndArray();
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
        return rows;
    }

    private static long writeRecords(Cursor<? extends Record> cursor, OutputStream out) throws IOException {
        long rows = 0;
        try (JsonGenerator json = JSON.createGenerator(out)) {
            var names = names(cursor);
            json.writeStartArray();
            for (var record : cursor) {
                writeObject(json, names, record);
                rows++;
            }
            json.writeEndArray();
        }
        return rows;
    }

    /** Reads one column of the current row and writes it as JSON. */
    @FunctionalInterface
    private interface Column {
        void write(JsonGenerator json, ResultSet results, int index) throws SQLException, IOException;
    }

    /** A reader per column, or null when a column has a type without one (then rows go through jOOQ records). */
    private static Column[] columns(Field<?>[] fields) {
        var columns = new Column[fields.length];
        for (int i = 0; i < fields.length; i++) {
            columns[i] = column(fields[i].getType());
            if (columns[i] == null) {
                return null;
            }
        }
        return columns;
    }

    private static Column column(Class<?> type) {
        if (type == Long.class || type == Integer.class || type == Short.class) {
            return (json, rs, i) -> {
                var value = rs.getLong(i);
                if (rs.wasNull()) {
                    json.writeNull();
                } else {
                    json.writeNumber(value);
                }
            };
        }
        if (type == String.class) {
            return (json, rs, i) -> writeValue(json, rs.getString(i));
        }
        if (type == BigDecimal.class) {
            return (json, rs, i) -> writeValue(json, rs.getBigDecimal(i));
        }
        if (type == Boolean.class) {
            return (json, rs, i) -> {
                var value = rs.getBoolean(i);
                if (rs.wasNull()) {
                    json.writeNull();
                } else {
                    json.writeBoolean(value);
                }
            };
        }
        if (type == LocalDate.class) {
            return (json, rs, i) -> {
                var date = rs.getObject(i, LocalDate.class);
                if (date == null) {
                    json.writeNull();
                } else {
                    writeDate(json, date);
                }
            };
        }
        if (type == OffsetDateTime.class || type == LocalDateTime.class) {
            return (json, rs, i) -> writeValue(json, rs.getObject(i, type));
        }
        return null;
    }

    /**
     * A date as {@link LocalDate#toString} writes it, {@code 2026-11-01}, without its formatter for the years of four
     * digits: a page of dates spends more on formatting them than on reading them (PgJDBC reads them in binary).
     */
    static void writeDate(JsonGenerator json, LocalDate date) throws IOException {
        var year = date.getYear();
        if (year < 0 || year > 9999) {
            json.writeString(date.toString());
            return;
        }
        var text = new char[10];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        json.writeString(text, 0, text.length);
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** One row as a JSON object (PostgREST's {@code application/vnd.pgrst.object+json}). */
    public static void writeOne(Cursor<? extends Record> cursor, Record record, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writeObject(json, names(cursor), record);
        }
    }

    private static String[] names(Cursor<? extends Record> cursor) {
        var fields = cursor.fields();
        var names = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            names[i] = fields[i].getName();
        }
        return names;
    }

    private static void writeObject(JsonGenerator json, String[] names, Record record) throws IOException {
        json.writeStartObject();
        for (int i = 0; i < names.length; i++) {
            json.writeFieldName(names[i]);
            writeValue(json, record.get(i));
        }
        json.writeEndObject();
    }

    static void writeValue(JsonGenerator json, Object value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case Integer i -> json.writeNumber(i);
            case Long l -> json.writeNumber(l);
            case Short s -> json.writeNumber(s);
            case Double d when d.isNaN() || d.isInfinite() -> json.writeString(d.toString());
            case Double d -> json.writeNumber(d);
            case Float f -> json.writeNumber(f);
            case BigDecimal b -> json.writeNumber(b);
            case BigInteger b -> json.writeNumber(b);
            case Boolean b -> json.writeBoolean(b);
            // always with seconds (OffsetDateTime.toString drops ":00"), so every row reads alike
            case OffsetDateTime t -> json.writeString(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t));
            case TemporalAccessor t -> json.writeString(t.toString());
            default -> json.writeString(value.toString());
        }
    }
}
