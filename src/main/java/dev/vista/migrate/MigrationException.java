package dev.vista.migrate;

// A migration that could not be applied; its message names the file, the object and PostgreSQL's reason.
public final class MigrationException extends RuntimeException {

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
