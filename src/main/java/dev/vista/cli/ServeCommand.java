package dev.vista.cli;

import dev.vista.Vista;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

// vista serve (also plain vista): migrate, seed an empty database, serve HTTP until the process is stopped.
@Command(name = "serve", description = {"Migrate, load the demo data into an empty database, serve HTTP.",
        "Serves until stopped (Ctrl-C), then stops the embedded PostgreSQL cleanly."},
        exitCodeList = {"0:stopped", "1:failed to start (database unreachable, data directory in use, port taken)",
                "2:a value in the environment Vista cannot use"})
final class ServeCommand implements Callable<Integer> {

    private final Invocation invocation;

    ServeCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() {
        var vista = Vista.start(invocation.config());
        // once serving, the log (a line a request) is written in batches; start-up and its failures are written at once
        var standardError = BatchedStandardError.install();
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vista.close();
            } finally {
                standardError.drain(); // the last lines, those logged while Vista stopped among them
                stopped.countDown();
            }
        }, "vista-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
