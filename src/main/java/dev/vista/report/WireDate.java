package dev.vista.report;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;

/**
 * A {@code date} column's value as PgJDBC received it. A statement PgJDBC has prepared on the server (from its fifth
 * execution on a connection) receives dates in binary, and {@link ResultSet#getBytes} hands those bytes over as they
 * came: the days since 2000-01-01 as a big-endian int4, {@code infinity} and {@code -infinity} the largest and the
 * smallest int4. Read here, a date costs no {@link java.util.GregorianCalendar} per result set and no
 * {@link LocalDate} on the way to JSON, where PgJDBC's {@code getObject(column, LocalDate.class)} costs both (a
 * seventh of the allocations of a 100-row page). Sent as text (the first executions), it is read as PgJDBC reads it.
 */
final class WireDate {

    /** PostgreSQL's day 0, 2000-01-01, as Java's epoch day. */
    private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();
    /**
     * The days written here, those whose ISO text is {@code yyyy-mm-dd} from 0000-03-01, where the count of days below
     * begins; the rest (and January and February of year 0) are written as LocalDate writes them.
     */
    private static final long FIRST_FOUR_DIGIT_DAY = LocalDate.of(0, 3, 1).toEpochDay();
    private static final long LAST_FOUR_DIGIT_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    /** The length of {@code yyyy-mm-dd}. */
    static final int ISO_LENGTH = 10;

    private WireDate() {
    }

    /** The date of a column whose value is {@code value} (not null), as {@code getObject(column, LocalDate.class)} reads it. */
    static LocalDate of(byte[] value, ResultSet results, int column) throws SQLException {
        if (value.length != 4) {
            return results.getObject(column, LocalDate.class);
        }
        var days = days(value);
        if (days == Integer.MAX_VALUE) {
            return LocalDate.MAX;
        }
        if (days == Integer.MIN_VALUE) {
            return LocalDate.MIN;
        }
        return LocalDate.ofEpochDay(POSTGRES_EPOCH_DAY + days);
    }

    /**
     * Writes the ISO text of a binary date, {@code 2026-11-01}, into {@code text[0..10)}, as {@link LocalDate#toString}
     * writes it; false (and nothing written) when the value came as text or its year has more or fewer than four digits.
     */
    static boolean isoText(byte[] value, byte[] text) {
        if (value.length != 4) {
            return false;
        }
        var epochDay = POSTGRES_EPOCH_DAY + days(value); // infinity and -infinity fall outside the four-digit years
        if (epochDay < FIRST_FOUR_DIGIT_DAY || epochDay > LAST_FOUR_DIGIT_DAY) {
            return false;
        }
        // the proleptic Gregorian calendar, as PostgreSQL and LocalDate count: days from 0000-03-01, in eras of 400 years
        // (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days), none before the first here
        var shifted = epochDay + 719_468;
        var era = shifted / 146_097;
        var dayOfEra = shifted - era * 146_097;
        var yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100); // from March 1st
        var shiftedMonth = (5 * dayOfYear + 2) / 153;
        var day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        var month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        var year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        isoText(year, month, day, text);
        return true;
    }

    /** Writes {@code yyyy-mm-dd} into {@code text[0..10)}, for a year of four digits (0 to 9999). */
    static void isoText(long year, long month, long day, byte[] text) {
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, month, 2);
        text[7] = '-';
        digits(text, 8, day, 2);
    }

    private static int days(byte[] value) {
        return (value[0] & 0xff) << 24 | (value[1] & 0xff) << 16 | (value[2] & 0xff) << 8 | value[3] & 0xff;
    }

    private static void digits(byte[] text, int at, long value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
