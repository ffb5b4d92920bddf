package dev.vista.config;

// A value in Vista's environment that it cannot use; the message names the variable and what it accepts.
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
