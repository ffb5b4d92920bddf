package dev.vista.report;

import dev.vista.access.InvalidTokenException;
import dev.vista.migrate.PgCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;

/**
 * What each role may read, asked of PostgreSQL as Vista (one catalogue query per role, {@link PgCatalog#roleGrants})
 * and kept for {@link #CACHE_FOR}, so deciding which reports a request may see costs it nothing measurable. The cache
 * only shapes what is listed: every read still runs as the role, so PostgreSQL refuses a revoked grant at once.
 *
 * <p>A role the connection's user may not become (it does not exist, or the user is not a member) or a superuser role
 * (which would bypass every grant and policy) is refused as the caller's error, before any read.
 */
public final class Privileges {

    static final Duration CACHE_FOR = Duration.ofSeconds(5);

    private record Entry(Instant loaded, PgCatalog.RoleGrants grants) {
    }

    private final DSLContext dsl;
    private final ConcurrentHashMap<String, Entry> roles = new ConcurrentHashMap<>();

    /** @param dsl Vista's own connection (not a caller's): it reads PostgreSQL's catalogue only */
    public Privileges(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The relations {@code role} may SELECT from, or {@link InvalidTokenException} when requests may not run as it. */
    public Set<String> readable(String role) {
        var now = Instant.now();
        var entry = roles.get(role);
        if (entry == null || !entry.loaded().plus(CACHE_FOR).isAfter(now)) {
            // two requests may both ask at expiry; the catalogue query is cheap, and no lock is held while it runs
            entry = new Entry(now, PgCatalog.roleGrants(dsl, role));
            roles.put(role, entry);
        }
        var grants = entry.grants();
        if (!grants.exists() || !grants.member()) {
            throw InvalidTokenException.invalid("the token's role is not one this Vista may read as (it does not exist, or the connection's"
                    + " user may not SET ROLE to it)");
        }
        if (grants.superuser()) {
            throw InvalidTokenException.invalid("the token names a superuser role; Vista never reads as one (it would bypass every grant and policy)");
        }
        return grants.readable();
    }
}
