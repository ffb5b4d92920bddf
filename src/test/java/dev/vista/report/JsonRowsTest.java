package dev.vista.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.select;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON written straight from JDBC is, byte for byte, the JSON written from jOOQ's records of the same rows. */
class JsonRowsTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;

    @BeforeAll
    static void start() {
        dataSource = TestDatabase.fresh("json_rows");
        dsl = TestDatabase.dsl(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void text_of_every_kind_is_escaped_as_jackson_escapes_a_string() {
        var texts = List.of("plain", "", "say \"hi\"", "back\\slash", "tab\tnew\nline\rreturn", "bell \u0007 and \u001f", "naïve café",
                "日本語のテキスト", "emoji 😀 and 👩‍💻", "line\u2028separator", "</script><b>", "slash / and ü");
        Select<org.jooq.Record4<String, String, String, String>> rows = null;
        for (var text : texts) {
            Select<org.jooq.Record4<String, String, String, String>> row = select(inline(text).as("text"), inline(text).cast(SQLDataType.VARCHAR(200)).as("varchar"),
                    inline(text).cast(SQLDataType.CHAR(40)).as("fixed"), inline(text).cast(SQLDataType.NVARCHAR).as("national"));
            rows = rows == null ? row : rows.unionAll(row);
        }
        var json = assertSameAsRecords(rows);
        assertThat(json).contains("\"say \\\"hi\\\"\"", "\"back\\\\slash\"", "\"tab\\tnew\\nline\\rreturn\"", "\\u0007", "日本語のテキスト", "😀 and 👩‍💻");
    }

    @Test
    void every_other_type_and_null_is_written_as_from_records() {
        var typed = select(
                inline("9007199254740993").cast(SQLDataType.BIGINT).as("big"), inline("-7").cast(SQLDataType.INTEGER).as("small"),
                inline("t").cast(SQLDataType.BOOLEAN).as("flag"), inline("1234.5000").cast(SQLDataType.NUMERIC).as("decimal"),
                inline("2026-02-28").cast(SQLDataType.LOCALDATE).as("day"),
                inline("2026-11-01 09:30:00.123456+02").cast(SQLDataType.OFFSETDATETIME).as("moment"),
                inline("2026-11-01 09:30:00").cast(SQLDataType.LOCALDATETIME).as("local"),
                DSL.field("'Ab'::name", String.class).as("named"), DSL.field("'{a,b}'::text[]::text", String.class).as("array_text"));
        var nulls = select(
                inline((Long) null).as("big"), inline((Integer) null).as("small"), inline((Boolean) null).as("flag"),
                inline((java.math.BigDecimal) null).as("decimal"), inline((java.time.LocalDate) null).as("day"),
                inline((java.time.OffsetDateTime) null).as("moment"),
                inline((java.time.LocalDateTime) null).as("local"), inline((String) null).as("named"), inline((String) null).as("array_text"));
        var json = assertSameAsRecords(typed.unionAll(nulls));
        assertThat(json).startsWith("[{\"big\":9007199254740993,\"small\":-7,\"flag\":true,\"decimal\":1234.5000,\"day\":\"2026-02-28\",")
                .contains("\"named\":\"Ab\"", "\"array_text\":\"{a,b}\"", "\"big\":null");
    }

    @Test
    void a_date_before_the_common_era_is_the_day_postgresql_means() {
        // jOOQ's records read it through java.sql.Date, a year off (jOOQ #8183): here the straight path is the reference
        var json = new ByteArrayOutputStream();
        try (var cursor = dsl.fetchLazy(select(inline("0044-03-15 BC").cast(SQLDataType.LOCALDATE).as("day")))) {
            JsonRows.write(cursor, json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("[{\"day\":\"-0043-03-15\"}]");
    }

    @Test
    void dates_received_in_binary_are_written_as_the_same_dates_received_as_text() throws Exception {
        // every 37th day over five centuries, and the edges: before the common era, year 0, leap days, five-digit years, infinities
        var sql = "SELECT d::date AS day FROM generate_series(TIMESTAMP '1700-01-01', '2200-12-31', '37 days') AS d UNION ALL SELECT d FROM (VALUES "
                + "(DATE '0044-03-15 BC'), ('0001-01-01 BC'), ('0001-03-01 BC'), ('0001-12-31 BC'), ('0001-01-01'), ('1600-02-29'),"
                + "('1900-02-28'), ('1900-03-01'), ('2000-02-29'), ('1999-12-31'), ('2000-01-01'), ('9999-12-31'), ('10000-01-01'), ('5874897-12-31'),"
                + "('4713-01-01 BC'), ('infinity'), ('-infinity'), (NULL)) AS v(d)";
        var binary = datesAsJson(sql, true);
        assertThat(binary).isEqualTo(datesAsJson(sql, false))
                .contains("\"1700-01-01\"", "\"-0043-03-15\"", "\"0000-01-01\"", "\"0000-03-01\"", "\"0000-12-31\"",
                        "\"0001-01-01\"", "\"1600-02-29\"", "\"1900-03-01\"", "\"2000-02-29\"", "\"9999-12-31\"", "\"+10000-01-01\"",
                        "\"+5874897-12-31\"", "\"-4712-01-01\"", "\"+999999999-12-31\"", "\"-999999999-01-01\"", "{\"day\":null}");
        // year 0 (1 BC) is a leap year, as PostgreSQL and LocalDate count; PgJDBC cannot read its February 29th as text
        assertThat(datesAsJson("SELECT DATE '0001-02-29 BC' AS day", true)).isEqualTo("[{\"day\":\"0000-02-29\"}]");
    }

    /**
     * The rows of {@code sql} as JSON, its dates received in binary (PgJDBC prepares the statement on the server at once)
     * or as text (a statement of the simple query protocol).
     */
    private static String datesAsJson(String sql, boolean binary) throws Exception {
        var json = new ByteArrayOutputStream();
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(binary ? -1 : 0);
            try (var results = statement.executeQuery(sql);
                 var cursor = dsl.fetchLazy(results, DSL.field(DSL.name("day"), SQLDataType.LOCALDATE))) {
                JsonRows.write(cursor, json);
            }
            try (var results = statement.executeQuery(sql)) { // the same statement again: how its dates come
                assertThat(results.next()).isTrue();
                assertThat(results.getBytes(1)).as("a date's bytes, binary: " + binary).hasSize(binary ? 4 : "1700-01-01".length());
            }
        }
        return json.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_type_read_as_a_string_that_postgresql_does_not_send_as_text_is_read_as_jooq_reads_it() {
        // a uuid typed as a String: PgJDBC may read it in binary, so its value goes through getString
        var json = assertSameAsRecords(select(DSL.field("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", String.class).as("id")));
        assertThat(json).isEqualTo("[{\"id\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}]");
    }

    private static String assertSameAsRecords(Select<? extends Record> query) {
        var straight = new ByteArrayOutputStream();
        var records = new ByteArrayOutputStream();
        try (var cursor = dsl.fetchLazy(query)) {
            JsonRows.write(cursor, straight);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        try (var cursor = dsl.fetchLazy(query)) {
            JsonRows.writeRecords(cursor, records);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        var json = straight.toString(StandardCharsets.UTF_8);
        assertThat(json).isEqualTo(records.toString(StandardCharsets.UTF_8)).startsWith("[{");
        return json;
    }
}
