package dev.vista.csv;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static dev.vista.generated.Tables.VISIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.select;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.database.ReadSessions;
import dev.vista.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jooq.DSLContext;
import org.jooq.Select;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CsvExportTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;
    static CsvExport csv;

    static final List<String> NASTY = List.of(
            "plain", "with,comma", "with \"quotes\"", "line\nbreak", "crlf\r\nbreak", "ünïcødé ☃ 日本",
            "=SUM(A1:A9)", "+1", "-1", "@cmd", "\ttab", "\rreturn", "'already", "trailing space ", "", "NULL",
            "=HYPERLINK(\"http://x\",\"y\")", "-1,5", "a,=b");

    @BeforeAll
    static void data() {
        dataSource = TestDatabase.migrated("csv");
        dsl = TestDatabase.dsl(dataSource);
        csv = new CsvExport(ReadSessions.on(dataSource, Duration.ofSeconds(30)));
        long id = 1;
        for (var value : NASTY) {
            dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL).values(id, "u" + id + value, value).execute();
            dsl.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                    .values(id, value, OffsetDateTime.of(2026, 11, 1, 12, 0, 0, 0, ZoneOffset.UTC), (int) id).execute();
            id++;
        }
        dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL).values(id, "no email", null).execute();
        dsl.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                .values(id, "index", OffsetDateTime.of(2026, 11, 2, 12, 0, 0, 0, ZoneOffset.UTC), 0).execute();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static String export(Select<?> query, CsvExport.Options options) throws Exception {
        var out = new ByteArrayOutputStream();
        csv.write(query, options, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** PostgreSQL's CSV: an unquoted empty field is NULL, a quoted one ("") is the empty string. */
    static List<CSVRecord> parse(String text) throws IOException {
        var format = CSVFormat.POSTGRESQL_CSV.builder().setHeader().setSkipHeaderRecord(true).get();
        return format.parse(new StringReader(text)).getRecords();
    }

    @Test
    void raw_export_round_trips_every_nasty_value_through_a_real_csv_parser() throws Exception {
        var query = dsl.select(VISIT_LOG.VISIT_ID, VISIT_LOG.USERNAME, VISIT_LOG.EMAIL, VISIT_LOG.SECTION, VISIT_LOG.VISIT_TIME)
                .from(VISIT_LOG).orderBy(VISIT_LOG.VISIT_ID);
        var records = parse(export(query, new CsvExport.Options(true, false)));
        var expected = query.fetch();
        assertThat(records).hasSize(expected.size());
        for (int i = 0; i < records.size(); i++) {
            var row = records.get(i);
            assertThat(row.get("visit_id")).isEqualTo(expected.get(i).value1().toString());
            assertThat(row.get("username")).isEqualTo(expected.get(i).value2());
            assertThat(row.get("email")).as("email of row %d", i).isEqualTo(expected.get(i).value3());
            assertThat(row.get("section")).isEqualTo(expected.get(i).value4());
        }
        assertThat(records.getLast().get("email")).as("NULL stays NULL").isNull();
        assertThat(records.get(NASTY.indexOf("")).get("email")).as("the empty string stays empty").isEqualTo("");
        assertThat(records.get(NASTY.indexOf("NULL")).get("email")).as("the text NULL stays text").isEqualTo("NULL");
    }

    @Test
    void text_cells_that_a_spreadsheet_would_run_as_formulas_get_a_leading_apostrophe() throws Exception {
        var query = dsl.select(VISIT_LOG.VISIT_ID, VISIT_LOG.EMAIL, VISIT_LOG.DURATION_MS).from(VISIT_LOG).orderBy(VISIT_LOG.VISIT_ID);
        var emails = parse(export(query, CsvExport.Options.DEFAULT)).stream().map(r -> r.get("email")).toList();
        var expected = new ArrayList<String>();
        for (var value : NASTY) {
            expected.add(!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value);
        }
        expected.add(null);
        assertThat(emails).containsExactlyElementsOf(expected);
        assertThat(emails).contains("'=SUM(A1:A9)", "'+1", "'-1", "'@cmd", "'\ttab", "'\rreturn", "'already", "plain");
    }

    @Test
    void numbers_and_dates_are_never_touched() throws Exception {
        var text = export(select(inline(-5).as("n"), inline(-1.5).as("x"), inline("-5").as("t"),
                inline(java.time.LocalDate.of(2026, 11, 1)).as("d")), CsvExport.Options.DEFAULT);
        assertThat(text).isEqualTo("n,x,t,d\n-5,-1.5,'-5,2026-11-01\n");
    }

    @Test
    void zero_rows_still_have_the_header_row() throws Exception {
        var text = export(dsl.select(VISIT_LOG.VISIT_ID, VISIT_LOG.USERNAME).from(VISIT_LOG).where(VISIT_LOG.VISIT_ID.lt(0L)),
                CsvExport.Options.DEFAULT);
        assertThat(text).isEqualTo("visit_id,username\n");
    }

    @Test
    void bom_puts_a_utf8_byte_order_mark_first_for_excel() throws Exception {
        var out = new ByteArrayOutputStream();
        csv.write(select(inline(1).as("one")), new CsvExport.Options(false, true), out);
        assertThat(Arrays.copyOf(out.toByteArray(), 3)).containsExactly(0xEF, 0xBB, 0xBF);
        assertThat(new String(out.toByteArray(), 3, out.size() - 3, StandardCharsets.UTF_8)).isEqualTo("one\n1\n");
    }

    @Test
    void a_reader_that_goes_away_cancels_the_copy_and_returns_the_connection() throws Exception {
        // a long stream: a million generated rows, of which the "client" takes 64 kB before failing
        var big = select(inline("row").as("r"), org.jooq.impl.DSL.field("g", Integer.class))
                .from("generate_series(1, 1000000) AS g");
        var broken = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 65_536) {
                    throw new IOException("client went away");
                }
            }
        };
        assertThatThrownBy(() -> csv.write(big, CsvExport.Options.DEFAULT, broken)).isInstanceOf(IOException.class);
        assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
        // the cancel reaches the server process asynchronously: wait (bounded) until no COPY is running
        var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int copies;
        do {
            copies = dsl.resultQuery("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND state = 'active'")
                    .fetchOne(0, Integer.class);
        } while (copies > 0 && System.nanoTime() < deadline);
        assertThat(copies).isZero();
        assertThat(export(select(inline(1).as("still")), CsvExport.Options.DEFAULT)).isEqualTo("still\n1\n");
    }
}
