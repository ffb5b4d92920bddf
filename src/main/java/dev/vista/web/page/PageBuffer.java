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
