package dev.vista.web.page;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectMapper;
import gg.jte.Content;
import gg.jte.TemplateOutput;

/**
 * Data for a page's script, as JSON inside {@code <script type="application/json">}: JTE escapes a script block for a
 * JavaScript string, which is not JSON, so this writes the JSON itself with {@code <}, {@code >} and {@code &} as
 * {@code \u003c}... escapes. No value can then close the script element or open a comment, whatever the data holds;
 * {@code JSON.parse} reads the escapes back as the characters they stand for.
 */
public final class ScriptJson implements Content {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new HtmlSafe());
    }

    private final String json;

    private ScriptJson(String json) {
        this.json = json;
    }

    public static ScriptJson of(Object value) {
        try {
            return new ScriptJson(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("chart data that Jackson cannot write: " + e.getMessage(), e);
        }
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
