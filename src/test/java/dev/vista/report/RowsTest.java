package dev.vista.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.select;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.util.Arrays;
import org.jooq.DSLContext;
import org.jooq.Select;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RowsTest {

    static HikariDataSource dataSource;
    static DSLContext dsl;

    @BeforeAll
    static void start() {
        dataSource = TestDatabase.fresh("rows");
        dsl = TestDatabase.dsl(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void every_type_read_straight_from_jdbc_holds_the_value_a_jooq_record_holds_nulls_included() {
        var typed = select(
                inline("9007199254740993").cast(SQLDataType.BIGINT).as("big"), inline("-7").cast(SQLDataType.INTEGER).as("small"),
                inline("12").cast(SQLDataType.SMALLINT).as("tiny"), inline("t").cast(SQLDataType.BOOLEAN).as("flag"), inline("naïve <b>").as("text"),
                inline("1234.5000").cast(SQLDataType.NUMERIC).as("decimal"), inline("2026-02-28").cast(SQLDataType.LOCALDATE).as("day"),
                inline("2026-11-01 09:30:00.123456+02").cast(SQLDataType.OFFSETDATETIME).as("moment"),
                inline("2026-11-01 09:30:00").cast(SQLDataType.LOCALDATETIME).as("local"));
        var nulls = select(
                inline((Long) null).as("big"), inline((Integer) null).as("small"), inline((Short) null).as("tiny"), inline((Boolean) null).as("flag"), inline((String) null).as("text"),
                inline((java.math.BigDecimal) null).as("decimal"), inline((java.time.LocalDate) null).as("day"),
                inline((java.time.OffsetDateTime) null).as("moment"), inline((java.time.LocalDateTime) null).as("local"));
        assertSameAsRecords(typed.unionAll(nulls));
    }

    @Test
    void a_date_before_the_common_era_is_the_day_postgresql_means_where_java_sql_date_is_a_year_off() {
        // 44 BC is year -43 in ISO's proleptic calendar (as the JSON API writes it); jOOQ's java.sql.Date path gives 0044 (jOOQ #8183)
        try (var cursor = dsl.fetchLazy(select(inline("0044-03-15 BC").cast(SQLDataType.LOCALDATE).as("day")))) {
            assertThat(Rows.of(cursor).values()).containsExactly(Arrays.asList(java.time.LocalDate.of(-43, 3, 15)));
        }
    }

    @Test
    void a_column_of_another_type_sends_the_page_through_jooq_records() {
        assertSameAsRecords(select(inline(0.25).as("ratio"), inline("x").as("text")));
    }

    private static void assertSameAsRecords(Select<?> query) {
        var expected = dsl.fetch(query);
        try (var cursor = dsl.fetchLazy(query)) {
            var rows = Rows.of(cursor);
            assertThat(rows.fields()).containsExactly(expected.fields());
            assertThat(rows.values()).isEqualTo(expected.map(record -> Arrays.asList(record.intoArray()))).isNotEmpty();
        }
    }
}
