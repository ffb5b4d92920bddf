package dev.vista.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
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

    @Test
    void numbers_and_dates_written_in_place_read_as_the_formatted_text_of_the_same_values() {
        var numbers = List.of(0L, 1L, -1L, 9L, 10L, 999L, 1000L, -1000L, 999_999L, 1_000_000L, -1_234_567L, 1_000_000_000_000L,
                999_999_999_999_999_999L, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE);
        var dates = List.of(LocalDate.of(2026, 11, 1), LocalDate.of(1, 1, 1), LocalDate.of(9999, 12, 31), LocalDate.of(10_000, 1, 1),
                LocalDate.of(-1, 6, 15), LocalDate.of(0, 2, 29));
        var buffer = new PageBuffer(1);
        var expected = new StringBuilder();
        for (var number : numbers) {
            buffer.writeGrouped(number);
            buffer.writeContent("|");
            expected.append(Formats.number(number)).append('|');
        }
        for (var date : dates) {
            buffer.writeDate(date);
            buffer.writeContent("|");
            expected.append(date).append('|');
        }
        assertThat(new String(buffer.toByteArray(), StandardCharsets.UTF_8)).isEqualTo(expected.toString())
                .contains("|-1,234,567|", "|9,223,372,036,854,775,807|", "|-9,223,372,036,854,775,808|", "|2026-11-01|", "|+10000-01-01|");
    }
}
