package dev.vista.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicaConfigTest {

    @Test
    void without_a_read_url_every_read_goes_to_the_primary_and_the_bound_is_thirty_seconds() {
        var config = Config.fromEnvironment(Map.of()).replicas();
        assertThat(config.readUrl()).isEmpty();
        assertThat(config.maxLag()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void a_pgjdbc_multi_host_url_and_a_bound_are_taken_as_given() {
        var url = "jdbc:postgresql://standby-a:5432,standby-b:5433/vista?targetServerType=secondary&loadBalanceHosts=true";
        var config = ReplicaConfig.fromEnvironment(Map.of("VISTA_READ_URL", url, "VISTA_MAX_REPLICA_LAG", "5s"));
        assertThat(config.readUrl()).isEqualTo(Optional.of(url));
        assertThat(config.maxLag()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void what_cannot_be_used_is_refused_naming_the_variable() {
        for (var url : new String[] {"postgresql://standby/vista", "mysql://standby/vista", "jdbc:postgresql://standby/vista?targetServerType=primary"}) {
            assertThatThrownBy(() -> ReplicaConfig.fromEnvironment(Map.of("VISTA_READ_URL", url))).as(url)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("VISTA_READ_URL");
        }
        assertThatThrownBy(() -> ReplicaConfig.fromEnvironment(Map.of("VISTA_MAX_REPLICA_LAG", "a while")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VISTA_MAX_REPLICA_LAG=a while is not a duration");
    }
}
