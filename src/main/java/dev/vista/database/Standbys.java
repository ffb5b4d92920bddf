package dev.vista.database;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.table;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Durations;
import dev.vista.config.ReplicaConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.Driver;
import org.postgresql.core.BaseConnection;
import org.postgresql.hostchooser.GlobalHostStatusTracker;
import org.postgresql.hostchooser.HostStatus;
import org.postgresql.util.HostSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot standbys of {@code VISTA_READ_URL}, where report reads run: one pool over the URL, in which PgJDBC's own
 * multi-host engine picks the host ({@code targetServerType}, {@code loadBalanceHosts}), and one sampler that asks
 * every host once a second how far behind it is, so that no request pays a round trip for it.
 *
 * <p>A host that does not answer the sampler within {@link #SAMPLE_TIMEOUT}, or that lags more than
 * {@code VISTA_MAX_REPLICA_LAG}, is not read from: it is reported to PgJDBC's host status tracker as
 * {@code ConnectFail} (so PgJDBC opens new connections on the other hosts), a pooled connection to it is discarded when
 * it is handed out, and when no host is fit the read goes to the primary ({@link #lease} is empty). Each change is
 * logged once, and counted ({@link #counters}, for metrics). When a host is fit again it is reported as a standby
 * and the pool's connections are renewed, so that they spread over every host again.
 *
 * <p>How far behind: 0 when the standby streams from the primary and has replayed everything it received (an idle
 * primary sends nothing, and that is not lag); otherwise an upper bound, the smaller of the time since the last
 * transaction it replayed committed ({@code pg_last_xact_replay_timestamp()}, which alone would count an idle hour
 * before the first new write as an hour behind) and the time since the last sample at which it had received
 * no more than it has replayed now.
 */
public final class Standbys implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Standbys.class);

    /** How often each standby is asked how far behind it is. */
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
    /** How long the sampler waits for a standby to connect or answer before counting it unreachable. */
    static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(2);
    /** How long a read waits for a pooled standby connection before it goes to the primary instead. */
    static final Duration LEASE_TIMEOUT = Duration.ofMillis(500);

    /** Told, on the sampler's thread, what a standby holds each time it is sampled and fit to read from. */
    @FunctionalInterface
    public interface Observer {
        void sampled(String standby, DSLContext session);
    }

    /**
     * What the last sample of a standby found: whether it answered, whether it is in recovery (a host that is not, a
     * promoted standby or a primary, is not read from), how far behind it is (null when unknown), whether reads may go
     * to it, and if not, why.
     */
    public record Status(String standby, boolean reachable, boolean inRecovery, Duration lag, boolean usable, String problem) {
    }

    /**
     * What happened, as counters for metrics: standbys that became unreachable, that fell further behind than the
     * bound, reads sent to the primary because no standby was fit, and reads a standby failed that the primary answered.
     */
    public record Counters(long becameUnreachable, long fellBehind, long readsOnPrimary, long retriedOnPrimary) {
    }

    /** A pooled connection on a standby that is fit to read from, and which one it is. */
    record Lease(Connection connection, ReadPlace place) {
    }

    /** A host of the read URL: its sampler connection (used by the sampler's thread only) and what it last found. */
    private static final class Host {
        final HostSpec spec;
        final String name;
        final String url;
        final Properties properties;
        final Deque<Received> received = new ArrayDeque<>();
        Connection sampler;
        volatile Status status;

        Host(HostSpec spec, String url, Properties properties) {
            this.spec = spec;
            this.name = spec.getHost() + ":" + spec.getPort();
            this.url = url;
            this.properties = properties;
            this.status = new Status(name, false, false, null, false, "not sampled yet");
        }
    }

    /** How far a standby had received WAL at a sample, by its own clock. */
    private record Received(OffsetDateTime at, long lsn) {
    }

    private final HikariDataSource pool;
    private final List<Host> hosts;
    private final Map<String, Host> byName;
    private final Duration maxLag;
    private final Observer observer;
    private final ScheduledExecutorService sampler;
    private final AtomicLong becameUnreachable = new AtomicLong();
    private final AtomicLong fellBehind = new AtomicLong();
    private final AtomicLong readsOnPrimary = new AtomicLong();
    private final AtomicLong retriedOnPrimary = new AtomicLong();

    private Standbys(HikariDataSource pool, List<Host> hosts, Duration maxLag, Observer observer) {
        this.pool = pool;
        this.hosts = hosts;
        this.byName = hosts.stream().collect(Collectors.toUnmodifiableMap(h -> h.name, Function.identity(), (a, b) -> a));
        this.maxLag = maxLag;
        this.observer = observer;
        this.sampler = Executors.newScheduledThreadPool(hosts.size(), Thread.ofPlatform().name("vista-standby-sampler-", 1).daemon().factory());
    }

    /**
     * The standbys of {@code config}'s read URL, read with the primary's credentials and pool size, and sampled from now
     * on; empty when no read URL is set. {@code observer} is told what each standby holds whenever it is sampled.
     */
    public static Optional<Standbys> open(ReplicaConfig config, Duration statementTimeout, HikariDataSource primary, Observer observer) {
        return config.readUrl().map(url -> open(url, config.maxLag(), statementTimeout, primary, observer));
    }

    static Standbys open(String readUrl, Duration maxLag, Duration statementTimeout, HikariDataSource primary, Observer observer) {
        var parsed = Driver.parseURL(readUrl, new Properties());
        var names = parsed.getProperty("PGHOST").split(",");
        var ports = parsed.getProperty("PGPORT").split(",");
        var hosts = new ArrayList<Host>();
        for (int i = 0; i < names.length; i++) {
            var spec = new HostSpec(names[i], Integer.parseInt(ports[i]), parsed.getProperty("localSocketAddress"));
            hosts.add(new Host(spec, singleHostUrl(spec, parsed.getProperty("PGDBNAME")), samplerProperties(parsed, primary)));
        }
        var standbys = new Standbys(pool(readUrl, hosts.size(), statementTimeout, primary), List.copyOf(hosts), maxLag, observer);
        standbys.start();
        return standbys;
    }

    /**
     * The pool over the URL: PgJDBC chooses the host of every new connection. No session state rides on its
     * connections ({@code options} is not sent: PgBouncer refuses it, and in transaction pooling a session's settings
     * would reach other clients), so read sessions set theirs with SET LOCAL inside each transaction.
     */
    private static HikariDataSource pool(String readUrl, int hostCount, Duration statementTimeout, HikariDataSource primary) {
        var pool = new HikariDataSource(); // connects on first use
        pool.setJdbcUrl(withDefaults(readUrl, hostCount));
        pool.setUsername(primary.getUsername());
        pool.setPassword(primary.getPassword());
        pool.setMaximumPoolSize(primary.getMaximumPoolSize());
        pool.setMinimumIdle(Math.min(2, primary.getMaximumPoolSize()));
        pool.setConnectionTimeout(LEASE_TIMEOUT.toMillis());
        pool.setInitializationFailTimeout(-1); // standbys that are down at start are fine: reads go to the primary
        pool.setPoolName(primary.getPoolName() + "-standbys");
        var properties = new Properties();
        var applicationName = primary.getDataSourceProperties().getProperty("ApplicationName");
        if (applicationName != null) {
            properties.setProperty("ApplicationName", applicationName);
        }
        if (!readUrl.contains("socketTimeout=")) {
            // a standby that vanishes from the network (no reset) must not hold a read for ever: the statement
            // timeout ends a read on a live server, this one a read on a dead one
            properties.setProperty("socketTimeout", Long.toString(statementTimeout.plusSeconds(10).toSeconds()));
        }
        pool.setDataSourceProperties(properties);
        return pool;
    }

    /** {@code targetServerType=preferSecondary} unless the URL says, and {@code loadBalanceHosts=true} over several hosts. */
    static String withDefaults(String url, int hostCount) {
        var withDefaults = new StringBuilder(url);
        if (!url.contains("targetServerType=")) {
            withDefaults.append(url.contains("?") ? '&' : '?').append("targetServerType=preferSecondary");
        }
        if (hostCount > 1 && !url.contains("loadBalanceHosts=")) {
            withDefaults.append(withDefaults.indexOf("?") >= 0 ? '&' : '?').append("loadBalanceHosts=true");
        }
        return withDefaults.toString();
    }

    private static String singleHostUrl(HostSpec spec, String database) {
        var host = spec.getHost().contains(":") ? "[" + spec.getHost() + "]" : spec.getHost();
        return "jdbc:postgresql://" + host + ":" + spec.getPort() + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** The URL's own settings (SSL, PgBouncer's prepareThreshold=0, ...), short timeouts, and a name of its own. */
    private static Properties samplerProperties(Properties parsed, HikariDataSource primary) {
        var properties = new Properties();
        parsed.stringPropertyNames().stream()
                .filter(key -> !key.startsWith("PG") && !key.equals("targetServerType") && !key.equals("loadBalanceHosts"))
                .forEach(key -> properties.setProperty(key, parsed.getProperty(key)));
        if (primary.getUsername() != null) {
            properties.setProperty("user", primary.getUsername());
        }
        if (primary.getPassword() != null) {
            properties.setProperty("password", primary.getPassword());
        }
        var seconds = Long.toString(SAMPLE_TIMEOUT.toSeconds());
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        properties.setProperty("ApplicationName", "vista standby sampler");
        return properties;
    }

    private void start() {
        for (var host : hosts) {
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    sample(host);
                } catch (RuntimeException e) { // an executor stops a task that throws: this one must go on
                    LOG.error("sampling standby {} failed", host.name, e);
                }
            }, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** What each standby's last sample found, in the order of the read URL. */
    public List<Status> status() {
        return hosts.stream().map(h -> h.status).toList();
    }

    /** The standbys reads may go to now; empty when none is fit. */
    public List<String> inUse() {
        return hosts.stream().filter(h -> h.status.usable()).map(h -> h.name).toList();
    }

    /**
     * Reports to {@code registry}: the pool (Hikari's meters), each standby's lag ({@code vista_standby_lag_seconds},
     * NaN when unknown) and fitness ({@code vista_standby_usable}, 1 or 0), and the {@link #counters} as
     * {@code vista_standby_unreachable_total}, {@code vista_standby_behind_total}, {@code vista_standby_reads_on_primary_total}
     * and {@code vista_standby_retried_on_primary_total}. Returns these standbys.
     */
    public Standbys measure(MeterRegistry registry) {
        Database.measure(pool, registry);
        for (var host : hosts) {
            Gauge.builder("vista.standby.lag", host, h -> h.status.lag() == null ? Double.NaN : h.status.lag().toMillis() / 1000.0)
                    .description("How far a hot standby was behind the primary at its last sample (NaN: unknown)")
                    .baseUnit("seconds").tag("standby", host.name).register(registry);
            Gauge.builder("vista.standby.usable", host, h -> h.status.usable() ? 1 : 0)
                    .description("Whether report reads may go to a hot standby (reachable, in recovery, within VISTA_MAX_REPLICA_LAG)")
                    .tag("standby", host.name).register(registry);
        }
        counter(registry, "vista.standby.unreachable", "Times a hot standby became unreachable", becameUnreachable);
        counter(registry, "vista.standby.behind", "Times a hot standby fell further behind than VISTA_MAX_REPLICA_LAG", fellBehind);
        counter(registry, "vista.standby.reads.on.primary", "Report reads sent to the primary because no hot standby was fit", readsOnPrimary);
        counter(registry, "vista.standby.retried.on.primary", "Report reads a hot standby failed before their first byte, answered by the primary",
                retriedOnPrimary);
        return this;
    }

    private static void counter(MeterRegistry registry, String name, String description, AtomicLong count) {
        FunctionCounter.builder(name, count, AtomicLong::get).description(description).register(registry);
    }

    public Counters counters() {
        return new Counters(becameUnreachable.get(), fellBehind.get(), readsOnPrimary.get(), retriedOnPrimary.get());
    }

    /**
     * A pooled connection on a host that is fit to read from, or empty when there is none (every host unreachable or
     * too far behind, or no connection within {@link #LEASE_TIMEOUT}): then the read goes to the primary.
     */
    Optional<Lease> lease() {
        if (hosts.stream().noneMatch(h -> h.status.usable())) {
            readsOnPrimary.incrementAndGet();
            return Optional.empty();
        }
        // PgJDBC avoids the hosts the sampler reported for new connections; connections opened before it did are
        // discarded here, at most one pool's worth
        for (int attempt = 0; attempt <= pool.getMaximumPoolSize(); attempt++) {
            Connection connection;
            try {
                connection = pool.getConnection();
            } catch (SQLException e) {
                LOG.debug("no standby connection within {}: reading on the primary", Durations.format(LEASE_TIMEOUT), e);
                break;
            }
            var place = placeOf(connection);
            if (place.isPresent()) {
                return Optional.of(new Lease(connection, place.get()));
            }
            pool.evictConnection(connection);
        }
        readsOnPrimary.incrementAndGet();
        return Optional.empty();
    }

    /** Where a pooled connection reads, when its host is fit to read from. */
    private Optional<ReadPlace> placeOf(Connection connection) {
        try {
            var spec = connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
            var host = byName.get(spec.getHost() + ":" + spec.getPort());
            if (host == null || !host.status.usable()) {
                return Optional.empty();
            }
            return Optional.of(ReadPlace.standby(host.name, host.status.lag()));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Gives a leased connection back, or discards it (after a failure that may have left it unusable). */
    void release(Connection connection, boolean discard) {
        if (discard) {
            pool.evictConnection(connection);
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            pool.evictConnection(connection);
        }
    }

    /**
     * Whether a standby's failure of a read is one the primary may answer instead: the standby cancelled it for a
     * conflict with recovery (40001), ended the session (57P01-57P04: shut down, crashed, starting) or the
     * connection broke (08xxx).
     */
    static boolean isStandbyFault(Throwable failure) {
        var state = sqlState(failure);
        return state != null && (state.equals("40001") || state.startsWith("08") || state.startsWith("57P"));
    }

    private static String sqlState(Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** Counts and logs a read that a standby failed and the primary is about to answer. */
    void retriedOnPrimary(ReadPlace place, Throwable failure) {
        retriedOnPrimary.incrementAndGet();
        LOG.info("a read on standby {} failed ({}); answered by the primary instead", place.standby().orElse("?"), message(failure));
        var host = place.standby().map(byName::get);
        if (host.isPresent() && !"40001".equals(sqlState(failure))) {
            // its session ended or its connection broke: the standby is likely gone, and until the next sample says
            // for sure, reads would go on trying it (and waiting for new connections to it)
            publish(host.get(), before -> before.reachable()
                    ? new Status(before.standby(), false, before.inRecovery(), null, false, "a read found it gone: " + message(failure)) : null);
        }
    }

    /** One sample of one host: lag, then the observer, then the new status is published, logged when it changed. */
    private void sample(Host host) {
        Status after;
        try {
            if (host.sampler == null) {
                host.sampler = DriverManager.getConnection(host.url, host.properties);
            }
            var session = DSL.using(host.sampler, SQLDialect.POSTGRES);
            after = measure(host, session);
            if (after.usable()) {
                try {
                    observer.sampled(host.name, session);
                } catch (RuntimeException e) {
                    after = new Status(host.name, true, true, after.lag(), false, "could not read Vista's tables on it: " + message(e));
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeSampler(host);
            after = new Status(host.name, false, host.status.inRecovery(), null, false, message(e));
        }
        var sampled = after;
        publish(host, before -> sampled);
    }

    /**
     * Replaces a host's status with what {@code next} makes of the current one (null: keep it), tells PgJDBC's host
     * status tracker, and logs and counts a change. One at a time per host: the sampler and failing reads both publish.
     */
    private void publish(Host host, UnaryOperator<Status> next) {
        Status before;
        Status after;
        synchronized (host) {
            before = host.status;
            after = next.apply(before);
            if (after == null) {
                return;
            }
            host.status = after;
        }
        GlobalHostStatusTracker.reportHostStatus(host.spec, after.usable() ? HostStatus.Secondary : HostStatus.ConnectFail);
        changed(before, after);
    }

    private Status measure(Host host, DSLContext session) {
        Field<Boolean> inRecovery = function("pg_is_in_recovery", SQLDataType.BOOLEAN);
        Field<String> received = function("pg_last_wal_receive_lsn", SQLDataType.OTHER).cast(SQLDataType.VARCHAR);
        Field<String> replayed = function("pg_last_wal_replay_lsn", SQLDataType.OTHER).cast(SQLDataType.VARCHAR);
        Field<OffsetDateTime> replayedAt = function("pg_last_xact_replay_timestamp", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<Boolean> streaming = field(exists(selectOne().from(table(name("pg_catalog", "pg_stat_wal_receiver")))));
        var row = session.select(inRecovery, received, replayed, replayedAt, currentOffsetDateTime(), streaming).fetchSingle();
        if (!row.value1()) {
            // promoted, or the primary itself: reads on it would not be told apart from reads on VISTA_DATABASE_URL
            return new Status(host.name, true, false, null, false,
                    "it is not in recovery (a primary): VISTA_READ_URL is for hot standbys, the primary is VISTA_DATABASE_URL");
        }
        var now = row.value5();
        var receivedLsn = lsn(row.value2());
        var replayedLsn = lsn(row.value3());
        var lag = lag(host, now, receivedLsn, replayedLsn, row.value4(), row.value6());
        if (receivedLsn != null) {
            host.received.addLast(new Received(now, receivedLsn));
        }
        while (!host.received.isEmpty() && host.received.peekFirst().at().isBefore(now.minus(maxLag).minusSeconds(10))) {
            host.received.removeFirst();
        }
        if (lag == null) {
            return new Status(host.name, true, true, null, false, "how far behind it is cannot be told (it neither streams nor has replayed a transaction)");
        }
        var usable = lag.compareTo(maxLag) <= 0;
        return new Status(host.name, true, true, lag, usable, usable ? null : Durations.format(lag.truncatedTo(ChronoUnit.SECONDS))
                + " behind the primary, more than VISTA_MAX_REPLICA_LAG (" + Durations.format(maxLag) + ")");
    }

    /** See the class comment; null when there is no bound at all. */
    private static Duration lag(Host host, OffsetDateTime now, Long received, Long replayed, OffsetDateTime replayedAt, boolean streaming) {
        if (streaming && received != null && replayed != null && replayed >= received) {
            return Duration.ZERO;
        }
        Duration bound = replayedAt == null ? null : positive(Duration.between(replayedAt, now));
        if (replayed != null) {
            var iterator = host.received.descendingIterator();
            while (iterator.hasNext()) {
                var sample = iterator.next();
                if (sample.lsn() <= replayed) {
                    var since = positive(Duration.between(sample.at(), now));
                    bound = bound == null || since.compareTo(bound) < 0 ? since : bound;
                    break;
                }
            }
        }
        return bound;
    }

    private static Duration positive(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    /** A WAL position as PostgreSQL writes it, {@code 16/B374D848}, as a number; null stays null. */
    static Long lsn(String text) {
        if (text == null) {
            return null;
        }
        var slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    private void changed(Status before, Status after) {
        if (before.usable() == after.usable() && before.reachable() == after.reachable()) {
            return;
        }
        var elsewhere = hosts.size() > 1 ? "other standbys or the primary" : "the primary";
        if (after.usable()) {
            LOG.info("standby {}: reading reports from it ({} behind)", after.standby(), after.lag() == null ? "?" : seconds(after.lag()));
            var connections = pool.getHikariPoolMXBean(); // null until the pool's first connection
            if (connections != null) {
                connections.softEvictConnections(); // new ones spread over every host that is fit, this one included
            }
        } else if (!after.reachable()) {
            if (before.reachable()) {
                becameUnreachable.incrementAndGet();
            }
            LOG.warn("standby {} is unreachable ({}): reads go to {} until it answers", after.standby(), after.problem(), elsewhere);
        } else if (after.inRecovery()) {
            fellBehind.incrementAndGet();
            LOG.warn("standby {}: {}: reads go to {} until it catches up", after.standby(), after.problem(), elsewhere);
        } else {
            LOG.warn("{}: {}; reads go to {}", after.standby(), after.problem(), elsewhere);
        }
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static String message(Throwable e) {
        var text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        var newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void closeSampler(Host host) {
        if (host.sampler != null) {
            try {
                host.sampler.close();
            } catch (SQLException ignored) {
                // it is gone either way
            }
            host.sampler = null;
        }
    }

    /** Stops sampling and closes the pool and the sampler's connections. */
    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(SAMPLE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hosts.forEach(Standbys::closeSampler);
        pool.close();
    }
}
