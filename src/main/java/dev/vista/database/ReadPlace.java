package dev.vista.database;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a read ran: on the primary, or on a hot standby ({@code host:port} as VISTA_READ_URL names it) that was
 * {@code lag} behind the primary when last sampled.
 */
public record ReadPlace(Optional<String> standby, Duration lag) {

    public static final ReadPlace PRIMARY = new ReadPlace(Optional.empty(), Duration.ZERO);

    public static ReadPlace standby(String name, Duration lag) {
        return new ReadPlace(Optional.of(name), lag);
    }

    public boolean onStandby() {
        return standby.isPresent();
    }
}
