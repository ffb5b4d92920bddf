package dev.vista.scratch;

import dev.vista.testing.HotStandby;
import org.junit.jupiter.api.Test;

class HotStandbyScratchTest {
    @Test
    void starts() {
        var t0 = System.nanoTime();
        try (var pair = HotStandby.start()) {
            System.out.println("started in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            pair.onStandby(s -> { System.out.println(s.fetch("SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()"));
                System.out.println(s.fetch("SELECT * FROM pg_stat_wal_receiver")); return null; });
            pair.stopStandby();
            var t1 = System.nanoTime();
            pair.startStandby();
            System.out.println("restarted in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
        }
    }
}
