package dev.vista.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A query a report cannot answer as asked (unknown column, value of the wrong type, bad syntax, limit too
 * large): the client's mistake, told back to it as a 400 naming the parameter.
 */
public final class InvalidQueryException extends RuntimeException {

    private final String code;
    private final String parameter;
    private final transient Map<String, Object> details;
    private final String hint;

    public InvalidQueryException(String code, String parameter, String message, Map<String, Object> details, String hint) {
        super(message);
        this.code = code;
        this.parameter = parameter;
        this.details = details;
        this.hint = hint;
    }

    /** A parameter that may be given once, given more often. */
    static InvalidQueryException repeated(String name, java.util.List<String> values) {
        return new InvalidQueryException("repeated_parameter", name, name + " is given " + values.size() + " times",
                details("parameter", name, "values", values), "give " + name + " once");
    }

    /** Details in the order given, so that error bodies read (and compare) the same every time. */
    static Map<String, Object> details(Object... keysAndValues) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    public String code() {
        return code;
    }

    /** The query parameter at fault, e.g. {@code user_id}, {@code order} or {@code limit}. */
    public String parameter() {
        return parameter;
    }

    public Map<String, Object> details() {
        return details;
    }

    public String hint() {
        return hint;
    }
}
