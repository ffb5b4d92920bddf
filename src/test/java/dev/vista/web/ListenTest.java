package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.Vista;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where Vista listens (this machine only unless told otherwise) and how it answers requests too large to read. */
class ListenTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("listen");
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void by_default_vista_listens_on_the_loopback_interface_only() {
        try (var vista = Vista.over(Config.fromEnvironment(Map.of("VISTA_PORT", "0")), dataSource).listen()) {
            var address = vista.address().getAddress();
            assertThat(address.isLoopbackAddress()).as(address.toString()).isTrue();
            assertThat(address.getHostAddress()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void vista_host_0_0_0_0_listens_on_every_interface() {
        try (var vista = Vista.over(Config.fromEnvironment(Map.of("VISTA_PORT", "0", "VISTA_HOST", "0.0.0.0")), dataSource).listen()) {
            var address = vista.address().getAddress();
            assertThat(address.isAnyLocalAddress()).as(address.toString()).isTrue();
        }
    }

    @Test
    void a_request_line_or_headers_too_large_are_a_414_or_431_with_a_json_error() {
        TestApp.serve(Config.fromEnvironment(Map.of()), dataSource, (server, client) -> {
            var longUrl = client.get("/api/reports/visits_summary?section=eq." + "x".repeat(10_000));
            assertThat(longUrl.code()).isEqualTo(414);
            assertThat(longUrl.headers().get("Content-Type").getFirst()).startsWith("application/json");
            assertThat(JSON.readTree(longUrl.body().string()).get("code").asText()).isEqualTo("uri_too_long");

            var bigHeader = client.get("/api/reports", request -> request.header("X-Padding", "x".repeat(10_000)));
            assertThat(bigHeader.code()).isEqualTo(431);
            assertThat(JSON.readTree(bigHeader.body().string()).get("code").asText()).isEqualTo("headers_too_large");
        });
    }
}
