package dev.vista.web.page;

import dev.vista.config.Durations;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How pages write values, decided once here so that templates only place text: numbers with thousands separators
 * (a decimal keeps the digits PostgreSQL returned), timestamps in ISO 8601 with their offset as JSON writes them, ages
 * and intervals in words.
 */
public final class Formats {

    private static final DecimalFormatSymbols SYMBOLS = DecimalFormatSymbols.getInstance(Locale.ENGLISH);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** 12345 as "12,345", 1234.50 as "1,234.50", 0.25 (double) as "0.25". */
    public static String number(Number value) {
        return switch (value) {
            // the common cases by hand: a DecimalFormat per cell costs more than the rest of a row
            case Long l -> grouped(Long.toString(l));
            case Integer i -> grouped(Integer.toString(i));
            case Short h -> grouped(Short.toString(h));
            case BigDecimal d -> grouped(d.toPlainString());
            default -> {
                var d = value.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    yield Double.toString(d);
                }
                var format = new DecimalFormat("#,##0", SYMBOLS);
                format.setMaximumFractionDigits(6);
                yield format.format(value);
            }
        };
    }

    /** "-1234567.50" as "-1,234,567.50": commas between the thousands of the whole part. */
    private static String grouped(String plain) {
        var sign = plain.startsWith("-") ? 1 : 0;
        var point = plain.indexOf('.');
        var whole = (point < 0 ? plain.length() : point) - sign;
        if (whole <= 3) {
            return plain;
        }
        var out = new StringBuilder(plain.length() + whole / 3);
        out.append(plain, 0, sign);
        for (int i = 0; i < whole; i++) {
            if (i > 0 && (whole - i) % 3 == 0) {
                out.append(',');
            }
            out.append(plain.charAt(sign + i));
        }
        out.append(plain, sign + whole, plain.length());
        return out.toString();
    }

    /** Any value as a table cell shows it (numbers without separators are for inputs: see {@link #plain}). */
    public static String value(Object value) {
        return switch (value) {
            case null -> "null";
            case Number n -> number(n);
            case OffsetDateTime t -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
            case LocalDateTime t -> DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
            case LocalDate d -> d.toString();
            default -> value.toString();
        };
    }

    /** A value as a filter takes it back: no separators, ISO timestamps. */
    public static String plain(Object value) {
        return switch (value) {
            case null -> "";
            case BigDecimal d -> d.toPlainString();
            case OffsetDateTime t -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
            default -> value.toString();
        };
    }

    /** "just now", "42 s ago", "12 min ago", "3 h ago", "2 days ago". */
    public static String ago(Duration age) {
        var seconds = Math.max(0, age.toSeconds());
        if (seconds < 5) {
            return "just now";
        }
        return span(Duration.ofSeconds(seconds)) + " ago";
    }

    /** A duration in words, rounded down to its unit: "200 ms", "90 s", "1 min", "15 min", "90 min", "1 h", "36 h", "1 day". */
    public static String span(Duration duration) {
        if (duration.toMillis() < 1000 || duration.toMillis() < 10_000 && duration.toMillis() % 1000 != 0) {
            return duration.toMillis() + " ms";
        }
        var seconds = duration.toSeconds();
        if (seconds < 60 || seconds < 120 && seconds % 60 != 0) {
            return seconds + " s";
        }
        if (seconds < 3600 || seconds < 7200 && seconds % 3600 != 0) {
            return seconds / 60 + " min";
        }
        if (seconds < 86_400 || seconds < 2 * 86_400 && seconds % 86_400 != 0) {
            return seconds / 3600 + " h";
        }
        var days = seconds / 86_400;
        return days + (days == 1 ? " day" : " days");
    }

    /** A moment to the minute, in UTC (the server does not know the reader's zone): "2026-01-12 11:00 UTC". */
    public static String minute(Instant at) {
        return MINUTE.format(at);
    }

    /** A moment to the second, in UTC: "2026-01-12 11:00:04 UTC". */
    public static String second(Instant at) {
        return SECOND.format(at);
    }

    /** A view file's schedule ("15m") in words ("every 15 min"). */
    public static String every(String schedule) {
        return "every " + span(Durations.parse(schedule));
    }

    /** Milliseconds as EXPLAIN reports them: "0.042 ms", "3.17 ms", "1,204 ms". */
    public static String millis(double ms) {
        var format = new DecimalFormat(ms < 1 ? "0.000" : ms < 100 ? "0.00" : "#,##0", SYMBOLS);
        return format.format(ms) + " ms";
    }

    /** "1 row", "12,345 rows". */
    public static String rows(long count) {
        return number(count) + (count == 1 ? " row" : " rows");
    }
}
