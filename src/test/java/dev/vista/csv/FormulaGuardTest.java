package dev.vista.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The guard on COPY's rows: only text cells that begin like a formula change, quoted or not. */
class FormulaGuardTest {

    // columns: id (number), name (text), note (text), amount (number)
    private final FormulaGuard guard = new FormulaGuard(new boolean[] {false, true, true, false});

    private String guarded(String row) {
        return new String(guard.guard(row.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void plain_cells_that_begin_like_formulas_get_an_apostrophe_and_numbers_do_not() {
        assertThat(guarded("-1,=SUM(A1),@cmd,-2\n")).isEqualTo("-1,'=SUM(A1),'@cmd,-2\n");
        assertThat(guarded("1,+1,\ttab,+3\n")).isEqualTo("1,'+1,'\ttab,+3\n");
    }

    @Test
    void quoted_cells_get_the_apostrophe_inside_the_quotes_and_commas_and_quotes_inside_them_are_skipped() {
        assertThat(guarded("1,\"=HYPERLINK(\"\"x\"\",\"\"y\"\")\",\"-a,b\",2\n"))
                .isEqualTo("1,\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",\"'-a,b\",2\n");
        assertThat(guarded("1,\"\rreturn\",\"line\nbreak\",2\n")).isEqualTo("1,\"'\rreturn\",\"line\nbreak\",2\n");
        assertThat(guarded("1,\"a,=b\",\"\"\"=quoted\"\"\",2\n")).isEqualTo("1,\"a,=b\",\"\"\"=quoted\"\"\",2\n");
    }

    @Test
    void nulls_empty_strings_and_harmless_rows_are_returned_as_they_are() {
        var row = "1,,\"\",2\n".getBytes(StandardCharsets.UTF_8);
        assertThat(guard.guard(row)).isSameAs(row);
        var unicode = "1,ünïcødé ☃,'already,2\n".getBytes(StandardCharsets.UTF_8);
        assertThat(guard.guard(unicode)).isSameAs(unicode);
        assertThat(guarded("1,-,=,3\n")).isEqualTo("1,'-,'=,3\n");
    }

    @Test
    void random_rows_as_copy_writes_them_are_guarded_exactly_where_a_text_cell_begins_like_a_formula() {
        // cells long and short around the eight bytes the comma search takes at a time, every special character
        var random = new Random(17);
        var alphabet = "ab,\"\n\r=+-@\t'1 ü☃".toCharArray();
        for (int n = 0; n < 20_000; n++) {
            var row = new StringBuilder();
            var expected = new StringBuilder();
            for (int column = 0; column < 4; column++) {
                if (column > 0) {
                    row.append(',');
                    expected.append(',');
                }
                if (column == 0 || column == 3) {
                    var number = Long.toString(random.nextLong() >> random.nextInt(64));
                    row.append(number);
                    expected.append(number);
                    continue;
                }
                var value = new StringBuilder();
                for (int length = random.nextInt(random.nextBoolean() ? 4 : 30); length > 0; length--) {
                    value.append(random.nextInt(3) == 0 ? alphabet[random.nextInt(alphabet.length)] : (char) ('c' + random.nextInt(20)));
                }
                var text = value.toString();
                var formula = !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0;
                row.append(copyCell(text));
                expected.append(copyCell(formula ? "'" + text : text));
            }
            row.append('\n');
            expected.append('\n');
            assertThat(guarded(row.toString())).as(row.toString()).isEqualTo(expected.toString());
        }
    }

    /** A text value as COPY's CSV writes it: quoted, with quotes doubled, when it holds a comma, quote, CR or LF, or is empty. */
    private static String copyCell(String value) {
        var quote = value.isEmpty() || value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
        return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
