package dev.vista.report;

import java.util.List;

/**
 * The one rule for Vista's boolean query parameters ({@code realtime}, CSV's {@code raw} and {@code bom}, a refresh's
 * {@code concurrently}, {@code wait}, ...): {@code true}, {@code false}, or the bare name ({@code ?wait}) for true.
 * Anything else, or the parameter given twice, is an {@link InvalidQueryException} naming it: never a silent false.
 */
public final class Flag {

    private Flag() {
    }

    /** The flag's value from its query parameter's values ({@code null} or none: absent, false). */
    public static boolean parse(String name, List<String> values) {
        if (values == null || values.isEmpty()) {
            return false;
        }
        if (values.size() > 1) {
            throw InvalidQueryException.repeated(name, values);
        }
        return switch (values.getFirst()) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new InvalidQueryException("invalid_parameter", name, name + " must be true or false, got '" + values.getFirst() + "'",
                    InvalidQueryException.details("parameter", name, "value", values.getFirst(), "expected", "true or false"), null);
        };
    }
}
