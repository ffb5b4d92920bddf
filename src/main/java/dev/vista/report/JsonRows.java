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
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import org.jooq.Cursor;
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
        ColumnKind[] kinds;
        try {
            results = ColumnKind.results(cursor);
            kinds = ColumnKind.of(cursor.fields(), results.getMetaData());
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
        if (kinds == null) {
            return writeRecords(cursor, out);
        }
        // Straight from the JDBC result set, each column read by its type: no jOOQ record per row and no
        // java.sql.Date on the way (PgJDBC builds those through a Calendar), the same JSON as writeValue writes;
        // dates from their wire bytes (WireDate).
        long rows = 0;
        try (JsonGenerator json = JSON.createGenerator(out)) {
            var names = quotedNames(cursor);
            var date = new byte[WireDate.ISO_LENGTH];
            json.writeStartArray();
            while (results.next()) {
                json.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    json.writeFieldName(names[i]);
                    int column = i + 1;
                    switch (kinds[i]) {
                        case LONG, INTEGER, SHORT -> {
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
                            var value = results.getBytes(column);
                            if (value == null) {
                                json.writeNull();
                            } else if (WireDate.isoText(value, date)) {
                                json.writeRawUTF8String(date, 0, WireDate.ISO_LENGTH); // digits and hyphens: nothing to escape
                            } else {
                                writeDate(json, WireDate.of(value, results, column));
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
        var text = new byte[WireDate.ISO_LENGTH];
        WireDate.isoText(year, date.getMonthValue(), date.getDayOfMonth(), text);
        json.writeRawUTF8String(text, 0, text.length); // digits and hyphens: nothing to escape
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
