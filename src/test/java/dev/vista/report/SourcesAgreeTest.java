package dev.vista.report;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static dev.vista.testing.ReportFixture.param;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property: for random data and random filters, orders, selects and pages, the hand-written GROUP BY, the view
 * and the materialized view return byte-for-byte the same response. Seeded, so a failure replays; the seed
 * and the query are in the failure message.
 */
class SourcesAgreeTest {

    static final long SEED = 20261124L;
    static final List<String> SECTIONS = List.of("index", "dashboard", "settings", "reports", "Profile", "bill ing");
    static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    static HikariDataSource dataSource;

    @BeforeAll
    static void randomData() {
        dataSource = TestDatabase.migrated("sources_agree");
        var dsl = TestDatabase.dsl(dataSource);
        var random = new Random(SEED);
        var users = dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL);
        for (long id = 1; id <= 40; id++) {
            users = users.values(id, "user" + id + (id % 7 == 0 ? " o'neil" : ""), id % 5 == 0 ? null : "u" + id + "@example.com");
        }
        users.execute();
        var visits = dsl.insertInto(PAGE_VISITS, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS);
        for (int i = 0; i < 3000; i++) {
            // users 36..40 never visit; times spread over 60 days, many near UTC midnight
            var user = 1 + random.nextInt(35);
            var time = NOW.minusSeconds(random.nextInt(60 * 24 * 3600));
            if (random.nextInt(4) == 0) {
                time = time.truncatedTo(ChronoUnit.DAYS).plusSeconds(random.nextInt(7200) - 3600);
            }
            visits = visits.values((long) user, SECTIONS.get(random.nextInt(SECTIONS.size())), time, random.nextInt(5000));
        }
        visits.execute();
        TestDatabase.refreshAll(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void every_source_returns_identical_rows_for_random_filters_orders_and_pages() {
        var catalogue = ReportCatalogue.of(dev.vista.generated.DefaultSchema.DEFAULT_SCHEMA, TestDatabase.viewFiles());
        var random = new Random(SEED);
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) -> {
            var nonEmpty = 0;
            var queries = 0;
            for (var name : List.of("visits_summary", "user_stats")) {
                var report = catalogue.get(name);
                for (int i = 0; i < 60; i++) {
                    var query = randomQuery(report, random);
                    String first = null;
                    for (var source : report.sourceNames()) {
                        var response = client.get("/api/reports/" + name + "?source=" + source + (query.isEmpty() ? "" : "&" + query));
                        var body = response.body().string();
                        assertThat(response.code()).as("seed %d, %s?%s on %s: %s", SEED, name, query, source, body).isEqualTo(200);
                        if (first == null) {
                            first = body;
                        } else {
                            assertThat(body).as("seed %d, %s?%s: %s differs from %s", SEED, name, query, source, report.sourceNames().getFirst())
                                    .isEqualTo(first);
                        }
                    }
                    queries++;
                    nonEmpty += first.equals("[]") ? 0 : 1;
                }
            }
            // the random queries are worth something only if most of them find rows
            assertThat(nonEmpty).as("non-empty results of %d", queries).isGreaterThan(queries / 2);
        });
    }

    static String randomQuery(Report report, Random random) {
        var params = new ArrayList<String>();
        for (int i = random.nextInt(4); i > 0; i--) {
            var column = report.columns().get(random.nextInt(report.columns().size()));
            params.add(param(column.name(), (random.nextInt(6) == 0 ? "not." : "") + randomFilter(column, random)));
        }
        if (random.nextBoolean()) {
            var order = new ArrayList<String>();
            for (int i = 1 + random.nextInt(2); i > 0; i--) {
                var column = report.columns().get(random.nextInt(report.columns().size()));
                order.add(column.name() + List.of("", ".asc", ".desc").get(random.nextInt(3))
                        + List.of("", "", ".nullsfirst", ".nullslast").get(random.nextInt(4)));
            }
            params.add("order=" + String.join(",", order.stream().distinct().toList()));
        }
        if (random.nextInt(3) == 0) {
            var columns = new ArrayList<>(report.columnNames());
            java.util.Collections.shuffle(columns, random);
            params.add("select=" + String.join(",", columns.subList(0, 1 + random.nextInt(columns.size()))));
        }
        if (random.nextBoolean()) {
            params.add("limit=" + random.nextInt(50));
        }
        if (random.nextInt(3) == 0) {
            params.add("offset=" + random.nextInt(30));
        }
        return String.join("&", params);
    }

    static String randomFilter(Report.Column column, Random random) {
        return switch (column.type()) {
            case "bigint" -> {
                var small = column.name().equals("user_id") ? 1 + random.nextInt(42) : random.nextInt(column.name().startsWith("total") ? 150 : 8);
                yield switch (random.nextInt(8)) {
                    case 0 -> "eq." + small;
                    case 1 -> "neq." + small;
                    case 2 -> "gt." + small;
                    case 3 -> "gte." + small;
                    case 4 -> "lt." + small;
                    case 5 -> "lte." + small;
                    case 6 -> "in.(" + small + "," + (small + 1) + "," + (small + 3) + ")";
                    default -> random.nextBoolean() ? "is.null" : "is.not_null";
                };
            }
            case "text" -> {
                var value = column.name().equals("section") ? SECTIONS.get(random.nextInt(SECTIONS.size())) : "user" + (1 + random.nextInt(40));
                yield switch (random.nextInt(7)) {
                    case 0 -> "eq." + value;
                    case 1 -> "neq." + value;
                    case 2 -> "like.*" + value.substring(1, 3) + "*";
                    case 3 -> "ilike." + value.substring(0, 2).toUpperCase() + "*";
                    case 4 -> "in.(" + value + ",\"" + SECTIONS.get(random.nextInt(SECTIONS.size())) + "\")";
                    case 5 -> "gte." + value;
                    default -> "lt." + value;
                };
            }
            case "date" -> {
                var day = NOW.toLocalDate().minusDays(random.nextInt(62));
                yield List.of("eq.", "neq.", "gt.", "gte.", "lt.", "lte.").get(random.nextInt(6)) + day;
            }
            case "timestamptz" -> {
                var time = NOW.minusSeconds(random.nextInt(62 * 24 * 3600)).withOffsetSameInstant(ZoneOffset.ofHours(random.nextInt(5) - 2));
                yield random.nextInt(8) == 0 ? "is.null"
                        : List.of("gt.", "gte.", "lt.", "lte.").get(random.nextInt(4)) + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
            }
            default -> throw new AssertionError("no random filter for " + column.type());
        };
    }
}
