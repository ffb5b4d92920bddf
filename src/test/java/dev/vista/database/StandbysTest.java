package dev.vista.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The parts of the standbys' logic that need no standby. */
class StandbysTest {

    @Test
    void pgjdbc_picks_standbys_first_and_spreads_reads_over_several_unless_the_url_says_otherwise() {
        assertThat(Standbys.withDefaults("jdbc:postgresql://a/vista", 1)).isEqualTo("jdbc:postgresql://a/vista?targetServerType=preferSecondary");
        assertThat(Standbys.withDefaults("jdbc:postgresql://a,b/vista?prepareThreshold=0", 2))
                .isEqualTo("jdbc:postgresql://a,b/vista?prepareThreshold=0&targetServerType=preferSecondary&loadBalanceHosts=true");
        assertThat(Standbys.withDefaults("jdbc:postgresql://a,b/vista?targetServerType=secondary&loadBalanceHosts=false", 2))
                .isEqualTo("jdbc:postgresql://a,b/vista?targetServerType=secondary&loadBalanceHosts=false");
    }

    @Test
    void wal_positions_read_as_numbers_in_order() {
        assertThat(Standbys.lsn("0/3000060")).isEqualTo(0x3000060L);
        assertThat(Standbys.lsn("16/B374D848")).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(Standbys.lsn("1/0")).isGreaterThan(Standbys.lsn("0/FFFFFFFF"));
        assertThat(Standbys.lsn(null)).isNull();
    }

    @Test
    void conflicts_with_recovery_shutdowns_and_broken_connections_are_left_to_the_primary_other_errors_are_not() {
        assertThat(Standbys.isStandbyFault(new SQLException("canceling statement due to conflict with recovery", "40001"))).isTrue();
        assertThat(Standbys.isStandbyFault(new RuntimeException(new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
        assertThat(Standbys.isStandbyFault(new SQLException("An I/O error occurred while sending to the backend.", "08006"))).isTrue();
        assertThat(Standbys.isStandbyFault(new SQLException("canceling statement due to statement timeout", "57014"))).isFalse();
        assertThat(Standbys.isStandbyFault(new SQLException("column \"x\" does not exist", "42703"))).isFalse();
        assertThat(Standbys.isStandbyFault(new IllegalStateException("no SQL at all"))).isFalse();
    }
}
