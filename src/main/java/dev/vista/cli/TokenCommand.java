package dev.vista.cli;

import dev.vista.access.TokenSigner;
import dev.vista.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

// vista token --role R [--sub S] [--ttl 1h] [--claim k=v]...: a token signed with VISTA_JWT_SECRET, on one line.
@Command(name = "token", description = {"Print a token for a PostgreSQL role, signed with VISTA_JWT_SECRET (HS256).",
        "Requests with it read as that role; see README, Who may see what."},
        exitCodeList = {"0:done", "2:wrong usage, no VISTA_JWT_SECRET, or a value in the environment Vista cannot use"})
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--role", paramLabel = "R", required = true, description = "The PostgreSQL role requests with the token read as.")
    String role;

    @Option(names = "--sub", paramLabel = "S", description = "The token's subject (sub), e.g. for row-level security policies.")
    String subject;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long it is valid: 90s, 15m, 2h, 1d (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--claim", paramLabel = "NAME=VALUE", description = "A further claim; repeat for more.")
    Map<String, String> claims = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    private final Invocation invocation;

    TokenCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() {
        var validFor = validFor();
        try {
            invocation.out().println(TokenSigner.of(invocation.config().access())
                    .sign(role, Optional.ofNullable(subject), validFor, claims, Instant.now()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--role " + role + ": " + e.getMessage());
        }
        return 0;
    }

    private Duration validFor() {
        try {
            var duration = Durations.parse(ttl);
            if (!duration.isZero()) {
                return duration;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--ttl takes " + Durations.FORMS + ", got: " + ttl);
    }
}
