package dev.vista.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import org.jooq.Cursor;
import org.jooq.Record;

// Writes rows as a JSON array of objects straight from a jOOQ cursor, one row in memory at a time.
public final class JsonRows {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonRows() {
    }

    public static long write(Cursor<? extends Record> cursor, OutputStream out) throws IOException {
        long rows = 0;
        try (JsonGenerator json = JSON.createGenerator(out)) {
            var fields = cursor.fields();
            var names = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                names[i] = fields[i].getName();
            }
            json.writeStartArray();
            for (var record : cursor) {
                json.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    json.writeFieldName(names[i]);
                    writeValue(json, record.get(i));
                }
                json.writeEndObject();
                rows++;
            }
            json.writeEndArray();
        }
        return rows;
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
            case TemporalAccessor t -> json.writeString(t.toString());
            default -> json.writeString(value.toString());
        }
    }
}
