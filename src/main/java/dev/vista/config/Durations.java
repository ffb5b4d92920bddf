package dev.vista.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one way Vista writes a duration, in its environment ({@code VISTA_STATEMENT_TIMEOUT=30s}) and in its view
 * files ({@code -- vista:refresh 15m}): a whole number and a unit, {@code 500ms}, {@code 90s}, {@code 15m},
 * {@code 2h} or {@code 1d}.
 */
public final class Durations {

    /** What the error messages show as the accepted forms. */
    public static final String FORMS = "a whole number and a unit: 500ms, 90s, 15m, 2h or 1d";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** The duration {@code text} says, or {@link IllegalArgumentException} naming the accepted forms. */
    public static Duration parse(String text) {
        var matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; expected " + FORMS);
        }
        var amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** The shortest way to write {@code duration} in the same forms, e.g. "15m", "90s", "1d", "250ms". */
    public static String format(Duration duration) {
        var millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        var seconds = millis / 1000;
        if (seconds != 0 && seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds != 0 && seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds != 0 && seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
