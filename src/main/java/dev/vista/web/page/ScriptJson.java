package dev.vista.web.page;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import gg.jte.Content;
import gg.jte.TemplateOutput;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Data for a page's script, as JSON inside {@code <script type="application/json">}: JTE escapes a script block for a
 * JavaScript string, which is not JSON, so this writes the JSON itself with {@code <}, {@code >} and {@code &} as
 * {@code \u003c}... escapes. No value can then close the script element or open a comment, whatever the data holds;
 * {@code JSON.parse} reads the escapes back as the characters they stand for.
 */
public final class ScriptJson implements Content {

    private static final JsonFactory JSON = new JsonFactoryBuilder().characterEscapes(new HtmlSafe())
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build(); // see JsonRows: virtual threads keep no buffers

    /** Writes the JSON value of a page's data. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    private final String json;

    private ScriptJson(String json) {
        this.json = json;
    }

    /** The JSON {@code writer} writes, escaped for a script element. */
    public static ScriptJson of(Writer writer) {
        var text = new StringWriter();
        try (var json = JSON.createGenerator(text)) {
            writer.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ScriptJson(text.toString());
    }

    @Override
    public void writeTo(TemplateOutput output) {
        output.writeContent(json);
    }

    @Override
    public String toString() {
        return json;
    }

    private static final class HtmlSafe extends CharacterEscapes {

        private final int[] escapes;

        HtmlSafe() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
