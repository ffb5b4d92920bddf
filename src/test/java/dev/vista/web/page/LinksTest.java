package dev.vista.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where pages send a browser: the sign-in page and back, and only ever to a path on this site. */
class LinksTest {

    @Test
    void a_path_on_this_site_is_kept_as_it_is() {
        for (var next : List.of("/", "/reports/visit_log", "/reports/visits_summary?section=eq.index&order=visits.desc",
                "/reports/x?a=//b&c=https://d", "/reports/x/..%2F..%2Fapi", "/%2F%2Fevil.example")) {
            assertThat(Links.local(next)).as(next).contains(next);
        }
    }

    @Test
    void anything_a_browser_could_read_as_another_site_is_refused() {
        var elsewhere = new ArrayList<>(List.of("//evil.example", "///evil.example", "https://evil.example", "HTTPS://evil.example",
                "http:/evil.example", "javascript:alert(1)", "data:text/html,x", "/\\evil.example", "\\/evil.example", "\\\\evil.example",
                "/\t/evil.example", "/\r\n/evil.example", " /reports", "/reports x", "/ü", "evil.example", "reports/x", "?next=/", "#x", ""));
        elsewhere.add(null);
        elsewhere.add("/" + "a".repeat(5000));
        for (var next : elsewhere) {
            assertThat(Links.local(next)).as(String.valueOf(next)).isEmpty();
        }
    }

    @Test
    void the_sign_in_link_carries_the_page_to_come_back_to_encoded() {
        assertThat(Links.login("/")).isEqualTo("/login");
        assertThat(Links.login("/reports/visits_summary?section=eq.index&order=visits.desc"))
                .isEqualTo("/login?next=/reports/visits_summary%3Fsection%3Deq.index%26order%3Dvisits.desc");
        assertThat(Links.login("/reports/x?v=a%26b")).isEqualTo("/login?next=/reports/x%3Fv%3Da%2526b");
    }
}
