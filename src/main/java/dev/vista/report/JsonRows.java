package dev.vista.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Set;
import org.jooq.Cursor;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

// Writes rows as a JSON array of objects straight from a jOOQ cursor, one row in memory at a time.
public final class JsonRows {

    // A response cut short by an error must not look complete: no closing brackets are added on close. Its buffers
    // come from a pool shared by all threads: Jackson's default keeps them per thread, and every request has a virtual
    // thread of its own, so each response would allocate them anew (a tenth of the time of writing a 100-row page).
    // Characters beyond the BMP (emoji) are written as their four UTF-8 bytes, as PostgreSQL holds them, not as two
    // escaped surrogates: the same for either path a row takes.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .build();

    private JsonRows() {
    }

    public static long write(Cursor<? extends Record> cursor, OutputStream out) throws IOException {
        ResultSet results;
        Kind[] kinds;
        try {
            // the driver's own result set: through jOOQ's and the pool's wrappers each value costs two more calls
            results = cursor.resultSet().unwrap(ResultSet.class);
            kinds = kinds(cursor.fields(), results.getMetaData());
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
        if (kinds == null) {
            return writeRecords(cursor, out);
        }
        // Straight from the JDBC result set, each column read by its type: no jOOQ record per row and no
        // java.sql.Date on the way (PgJDBC builds those through a Calendar), the same JSON as writeValue writes.
        long rows = 0;
        try (JsonGenerator json = JSON.createGenerator(out)) {
            var names = quotedNames(cursor);
            json.writeStartArray();
            while (results.next()) {
                json.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    json.writeFieldName(names[i]);
                    // a switch, not a reader object per column: one call site reading four kinds of value was a
                    // megamorphic call per value, an eighth of a 100-row page's time
                    int column = i + 1;
                    switch (kinds[i]) {
                        case WHOLE -> {
                            var value = results.getLong(column);
                            if (results.wasNull()) {
                                json.writeNull();
                            } else {
                                json.writeNumber(value);
                            }
                        }
                        case TEXT -> {
                            // PostgreSQL sends text as UTF-8 (PgJDBC's client_encoding), which Jackson escapes as it
                            // copies: no String decoded from it only to be encoded again
                            var text = results.getBytes(column);
                            if (text == null) {
                                json.writeNull();
                            } else {
                                json.writeUTF8String(text, 0, text.length);
                            }
                        }
                        case STRING -> writeValue(json, results.getString(column));
                        case DECIMAL -> writeValue(json, results.getBigDecimal(column));
                        case BOOLEAN -> {
                            var value = results.getBoolean(column);
                            if (results.wasNull()) {
                                json.writeNull();
                            } else {
                                json.writeBoolean(value);
                            }
                        }
                        case DATE -> {
                            var date = results.getObject(column, LocalDate.class);
                            if (date == null) {
                                json.writeNull();
                            } else {
                                writeDate(json, date);
                            }
                        }
                        case MOMENT -> writeValue(json, results.getObject(column, OffsetDateTime.class));
                        case LOCAL_MOMENT -> writeValue(json, results.getObject(column, LocalDateTime.class));
                    }
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

    /** The rows through jOOQ's records: for any type, and the reference the straight path is tested against. */
    static long writeRecords(Cursor<? extends Record> cursor, OutputStream out) throws IOException {
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

    /** The JDBC types PgJDBC gives PostgreSQL's character types (text, varchar, char, name), always sent as text. */
    private static final Set<Integer> TEXT_TYPES = Set.of(Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR);

    /** How a column's values are read from JDBC and written. */
    private enum Kind { WHOLE, TEXT, STRING, DECIMAL, BOOLEAN, DATE, MOMENT, LOCAL_MOMENT }

    /** The kind of each column, or null when a column has a type without one (then rows go through jOOQ records). */
    private static Kind[] kinds(Field<?>[] fields, ResultSetMetaData columns) throws SQLException {
        var kinds = new Kind[fields.length];
        for (int i = 0; i < fields.length; i++) {
            kinds[i] = kind(fields[i].getType(), columns.getColumnType(i + 1));
            if (kinds[i] == null) {
                return null;
            }
        }
        return kinds;
    }

    private static Kind kind(Class<?> type, int columnType) {
        if (type == Long.class || type == Integer.class || type == Short.class) {
            return Kind.WHOLE;
        }
        if (type == String.class) {
            // text, varchar, char, name: PostgreSQL's text of them is the string; another type jOOQ reads as a
            // String (citext, say) goes through getString, as jOOQ reads it
            return TEXT_TYPES.contains(columnType) ? Kind.TEXT : Kind.STRING;
        }
        if (type == BigDecimal.class) {
            return Kind.DECIMAL;
        }
        if (type == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (type == LocalDate.class) {
            return Kind.DATE;
        }
        if (type == OffsetDateTime.class) {
            return Kind.MOMENT;
        }
        if (type == LocalDateTime.class) {
            return Kind.LOCAL_MOMENT;
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
        var text = new byte[10];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        json.writeRawUTF8String(text, 0, text.length); // digits and hyphens: nothing to escape
    }

    private static void digits(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** One row as a JSON object (PostgREST's {@code application/vnd.pgrst.object+json}). */
    public static void writeOne(Cursor<? extends Record> cursor, Record record, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writeObject(json, names(cursor), record);
        }
    }

    /** The column names, each quoted and encoded once for the page rather than once per row. */
    private static SerializedString[] quotedNames(Cursor<? extends Record> cursor) {
        var fields = cursor.fields();
        var names = new SerializedString[fields.length];
        for (int i = 0; i < fields.length; i++) {
            names[i] = new SerializedString(fields[i].getName());
        }
        return names;
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
