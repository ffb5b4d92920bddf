package dev.vista.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
}
