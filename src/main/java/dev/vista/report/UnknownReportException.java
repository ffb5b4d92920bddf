package dev.vista.report;

// Asked for a report the catalogue does not have.
public final class UnknownReportException extends RuntimeException {

    private final String name;

    public UnknownReportException(String name) {
        super("no report named '" + name + "'");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
