package dev.vista.testing;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import javax.sql.DataSource;

/**
 * A small data set made by hand, so that report tests can assert on whole responses. Dates are fixed and
 * long past, so nothing depends on the clock ("visits in the last 30 days" is 0 for everyone).
 *
 * <pre>
 * visits_summary, in key order (user_id, section, visit_date):
 *   1 dashboard 2026-01-11 1
 *   1 index     2026-01-10 2
 *   2 index     2025-12-31 1
 *   2 index     2026-01-10 1
 *   2 settings  2026-01-12 1
 *   4 Dashboard 2026-01-12 1
 * users: 1 alice, 2 bob (no email), 3 carol (no visits), 4 "dave, jr"
 * </pre>
 */
public final class ReportFixture {

    private ReportFixture() {
    }

    public static void load(DataSource dataSource) {
        var dsl = TestDatabase.dsl(dataSource);
        dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL, USERS.CREATED_AT)
                .values(1L, "alice", "alice@example.com", at("2025-06-01T00:00:00Z"))
                .values(2L, "bob", null, at("2025-06-01T00:00:00Z"))
                .values(3L, "carol", "carol@example.com", at("2025-06-01T00:00:00Z"))
                .values(4L, "dave, jr", "dave@example.com", at("2025-06-01T00:00:00Z"))
                .execute();
        dsl.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                .values(1L, 1L, "index", at("2026-01-10T10:00:00Z"), 100)
                .values(2L, 1L, "index", at("2026-01-10T23:30:00Z"), 300)
                .values(3L, 1L, "dashboard", at("2026-01-11T00:10:00Z"), 200)
                .values(4L, 2L, "index", at("2026-01-10T12:00:00Z"), 1000)
                .values(5L, 2L, "settings", at("2026-01-12T08:00:00Z"), 50)
                .values(6L, 2L, "index", at("2025-12-31T23:59:59.5Z"), 70)
                .values(7L, 4L, "Dashboard", at("2026-01-12T09:00:00Z"), 20)
                .execute();
        TestDatabase.refreshAll(dataSource);
    }

    public static OffsetDateTime at(String text) {
        return OffsetDateTime.parse(text);
    }

    /** {@code name=value} with the value URL-encoded, for building query strings in tests. */
    public static String param(String name, String value) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
