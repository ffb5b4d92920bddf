package dev.vista.cli;

import dev.vista.bench.Bench;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

// vista bench [options]: every claim beside its reference, in one run, written to BENCHMARKS.md; exit 1 if a scenario failed.
@Command(name = "bench", description = {"Measure every claim beside its reference; write BENCHMARKS.md.",
        "The variants interleaved, on an embedded PostgreSQL in a temporary directory (or VISTA_DATABASE_URL with "
                + "--replace-data); prints a table and writes the scale's section of BENCHMARKS.md."},
        exitCodeList = {"0:done", "1:failed, or a scenario failed (the others still ran and were written)",
                "2:wrong usage, or a value in the environment Vista cannot use"})
final class BenchCommand implements Callable<Integer> {

    private static final Bench.Options DEFAULTS = Bench.Options.defaults();

    @Option(names = "--visits", paramLabel = "N", converter = WholeNumber.class, description = "Visits in the data set (default: ${DEFAULT-VALUE}).")
    long visits = DEFAULTS.visits();

    @Option(names = "--users", paramLabel = "N", converter = WholeNumber.class, description = "Users they belong to (default: ${DEFAULT-VALUE}).")
    long users = DEFAULTS.users();

    @Option(names = "--iterations", paramLabel = "N", converter = WholeNumber.class, description = "Measured runs of each variant (default: ${DEFAULT-VALUE}).")
    long iterations = DEFAULTS.iterations();

    @Option(names = "--warmups", paramLabel = "N", converter = WholeNumber.class, description = "Runs before measuring (default: ${DEFAULT-VALUE}).")
    long warmups = DEFAULTS.warmups();

    @Option(names = "--http-seconds", paramLabel = "N", converter = WholeNumber.class, description = "Seconds of each HTTP load (default: ${DEFAULT-VALUE}).")
    long httpSeconds = DEFAULTS.httpSeconds();

    @Option(names = "--connections", paramLabel = "N", converter = WholeNumber.class, description = "Concurrent HTTP connections (default: ${DEFAULT-VALUE}).")
    long connections = DEFAULTS.httpConnections();

    static final class Output {
        @Option(names = "--output", paramLabel = "FILE", description = "Where to write the results (default: BENCHMARKS.md).")
        Path file;

        @Option(names = "--no-write", description = "Print the table only.")
        boolean noWrite;
    }

    @ArgGroup(exclusive = true)
    Output output = new Output();

    @Option(names = "--only", paramLabel = "SCENARIO", split = ",", description = {"Run only these scenarios (and the seed), e.g. "
            + "--only http,pages; BENCHMARKS.md is then left as it is unless --output is given.", "Scenarios: ${COMPLETION-CANDIDATES}."}, completionCandidates = Scenarios.class)
    List<String> only = List.of();

    /** The scenario names --only accepts, for its help and its check. */
    static final class Scenarios implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Bench.SCENARIOS.iterator();
        }
    }

    @Option(names = "--replace-data", description = "With VISTA_DATABASE_URL set: replace all data in that database.")
    boolean replaceData;

    @Spec
    CommandSpec spec;

    private final Invocation invocation;

    BenchCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() throws Exception {
        if (iterations < 1 || users < 1) {
            throw new ParameterException(spec.commandLine(), "bench needs --iterations >= 1 and --users >= 1");
        }
        var unknown = only.stream().filter(name -> !Bench.SCENARIOS.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "unknown scenario(s) for --only: " + String.join(", ", unknown)
                    + "; the scenarios are " + String.join(", ", Bench.SCENARIOS));
        }
        // a partial run does not replace the whole run's section of BENCHMARKS.md, unless a file is named
        var file = output.noWrite ? Optional.<Path>empty() : output.file != null ? Optional.of(output.file) : only.isEmpty() ? DEFAULTS.output() : Optional.<Path>empty();
        var options = new Bench.Options(visits, Math.toIntExact(users), Math.toIntExact(iterations), Math.toIntExact(warmups), file,
                Math.toIntExact(httpSeconds), Math.toIntExact(connections), replaceData, Set.copyOf(only));
        var result = new Bench(invocation.config(), options, invocation.out()).run();
        return result.failed() ? 1 : 0;
    }
}
