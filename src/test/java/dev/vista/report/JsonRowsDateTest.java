package dev.vista.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class JsonRowsDateTest {

    @Test
    void dates_are_written_as_local_date_writes_them_in_every_era() throws Exception {
        for (var date : new LocalDate[] {LocalDate.of(2026, 11, 1), LocalDate.of(1, 1, 1), LocalDate.of(0, 2, 29), LocalDate.of(9999, 12, 31),
                LocalDate.of(10_000, 1, 1), LocalDate.of(-44, 3, 15), LocalDate.MAX, LocalDate.MIN, LocalDate.of(2000, 10, 9)}) {
            var text = new ByteArrayOutputStream();
            try (var json = new JsonFactory().createGenerator(text)) {
                JsonRows.writeDate(json, date);
            }
            assertThat(text.toString(StandardCharsets.UTF_8)).isEqualTo("\"" + date + "\"");
        }
    }
}
