package dev.vista.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** How pages write values. */
class FormatsTest {

    @Test
    void numbers_get_thousands_separators_and_decimals_keep_their_digits() {
        assertThat(Formats.number(0L)).isEqualTo("0");
        assertThat(Formats.number(999)).isEqualTo("999");
        assertThat(Formats.number(1000L)).isEqualTo("1,000");
        assertThat(Formats.number(-1234567L)).isEqualTo("-1,234,567");
        assertThat(Formats.number(Long.MIN_VALUE)).isEqualTo("-9,223,372,036,854,775,808");
        assertThat(Formats.number(new BigDecimal("1234.50"))).isEqualTo("1,234.50");
        assertThat(Formats.number(new BigDecimal("-0.5"))).isEqualTo("-0.5");
        assertThat(Formats.number(new BigDecimal("1E+3"))).isEqualTo("1,000");
        assertThat(Formats.number(12345.25d)).isEqualTo("12,345.25");
        assertThat(Formats.number(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void timestamps_keep_their_offset_and_durations_read_as_words() {
        assertThat(Formats.value(OffsetDateTime.parse("2026-11-01T09:30:00Z"))).isEqualTo("2026-11-01T09:30:00Z");
        assertThat(Formats.value(null)).isEqualTo("null");
        assertThat(Formats.span(Duration.ofMillis(200))).isEqualTo("200 ms");
        assertThat(Formats.span(Duration.ofSeconds(90))).isEqualTo("90 s");
        assertThat(Formats.every("15m")).isEqualTo("every 15 min");
        assertThat(Formats.every("1m")).isEqualTo("every 1 min");
        assertThat(Formats.every("1d")).isEqualTo("every 1 day");
        assertThat(Formats.ago(Duration.ofSeconds(2))).isEqualTo("just now");
        assertThat(Formats.ago(Duration.ofMinutes(12))).isEqualTo("12 min ago");
        assertThat(Formats.millis(0.0421)).isEqualTo("0.042 ms");
        assertThat(Formats.millis(1204.2)).isEqualTo("1,204 ms");
    }
}
