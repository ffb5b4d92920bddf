package dev.vista.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PageBufferTest {

    @Test
    void text_and_bytes_come_out_as_the_utf8_of_what_was_written_in_order_however_long() {
        var buffer = new PageBuffer(4);
        var expected = new StringBuilder();
        buffer.writeBinaryContent("<td>".getBytes(StandardCharsets.UTF_8));
        expected.append("<td>");
        for (var text : new String[] {"plain", "naïve café", "日本語", "emoji 😀 and after", "", "x"}) {
            buffer.writeContent(text);
            expected.append(text);
        }
        buffer.writeContent("--[ü😀z]--", 3, 8);
        expected.append("ü😀z]");
        for (int i = 0; i < 2000; i++) {
            buffer.writeContent("row " + i + " ");
            expected.append("row ").append(i).append(' ');
        }
        assertThat(new String(buffer.toByteArray(), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(buffer.toByteArray()).isEqualTo(expected.toString().getBytes(StandardCharsets.UTF_8));
    }
}
