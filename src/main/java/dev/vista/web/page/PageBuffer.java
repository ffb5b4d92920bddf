package dev.vista.web.page;

import gg.jte.TemplateOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A page rendered into one growing UTF-8 buffer. JTE's {@code Utf8ByteOutput} keeps every write as a chunk of its own
 * (a 100-row page is thousands: each static part, each value, each piece between escapes) and copies them together at
 * the end; that copy alone was about 4% of a report page's time (JFR). Here the templates' static parts, which JTE
 * precompiles to bytes, are copied in as they come, and text is encoded in place.
 */
final class PageBuffer implements TemplateOutput {

    private byte[] bytes;
    private int length;

    PageBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    @Override
    public void writeBinaryContent(byte[] value) {
        room(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
    }

    @Override
    public void writeContent(String value) {
        writeContent(value, 0, value.length());
    }

    @Override
    public void writeContent(String value, int beginIndex, int endIndex) {
        room(endIndex - beginIndex);
        // ASCII, the common case, byte for byte; any other character sends the rest through the UTF-8 encoder
        for (int i = beginIndex; i < endIndex; i++) {
            var c = value.charAt(i);
            if (c >= 0x80) {
                var encoded = value.substring(i, endIndex).getBytes(StandardCharsets.UTF_8);
                room(encoded.length);
                System.arraycopy(encoded, 0, bytes, length, encoded.length);
                length += encoded.length;
                return;
            }
            bytes[length++] = (byte) c;
        }
    }

    /** A whole number as {@link Formats#number} writes it, "-1,234,567", in place: no String per value. */
    void writeGrouped(long value) {
        if (value == Long.MIN_VALUE) {
            writeContent(Formats.number(value));
            return;
        }
        var magnitude = Math.abs(value);
        var digits = 1;
        while (digits < POWERS.length && magnitude >= POWERS[digits]) {
            digits++;
        }
        var width = (value < 0 ? 1 : 0) + digits + (digits - 1) / 3;
        room(width);
        var at = length + width - 1;
        for (int i = 0; i < digits; i++) {
            if (i > 0 && i % 3 == 0) {
                bytes[at--] = ',';
            }
            bytes[at--] = (byte) ('0' + magnitude % 10);
            magnitude /= 10;
        }
        if (value < 0) {
            bytes[at] = '-';
        }
        length += width;
    }

    /** A date as {@link java.time.LocalDate#toString} writes it, {@code 2026-11-01}, in place for years of four digits. */
    void writeDate(java.time.LocalDate date) {
        var year = date.getYear();
        if (year < 0 || year > 9999) {
            writeContent(date.toString());
            return;
        }
        room(10);
        digits(year, 4);
        bytes[length++] = '-';
        digits(date.getMonthValue(), 2);
        bytes[length++] = '-';
        digits(date.getDayOfMonth(), 2);
    }

    private void digits(int value, int width) {
        for (int i = length + width - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
    }

    private static final long[] POWERS = new long[19];

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
    }

    /** The page as written so far. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
