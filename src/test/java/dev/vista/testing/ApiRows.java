package dev.vista.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows as the page tests compare them: one line per row, cells joined by " | ", numbers without thousands separators,
 * NULL as {@code null} and the empty string as {@code ""}, the way a report page's table shows them.
 */
public final class ApiRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiRows() {
    }

    /** The API's JSON rows as lines. */
    public static List<String> lines(String json) {
        try {
            var lines = new ArrayList<String>();
            for (JsonNode row : JSON.readTree(json)) {
                var cells = new ArrayList<String>();
                row.properties().forEach(e -> cells.add(cell(e.getValue())));
                lines.add(String.join(" | ", cells));
            }
            return lines;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String cell(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        return value.asText().isEmpty() ? "\"\"" : value.asText();
    }
}
