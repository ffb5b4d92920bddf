package dev.vista.refresh;

import java.util.List;

/**
 * A refresh that was refused or failed, with the reason callers act on. Views refreshed before it in the same
 * request (a cascade) stay refreshed; they are listed in {@link #completed()}.
 */
public final class RefreshException extends RuntimeException {

    public enum Reason {
        /** No materialized view or incremental aggregate of that name. */
        UNKNOWN_VIEW,
        /** It exists, but is a plain view: there is nothing stored to refresh. */
        NOT_MATERIALIZED,
        /** CONCURRENTLY asked for, but no unique index on plain columns without a WHERE covers every row. */
        NO_UNIQUE_INDEX,
        /** CONCURRENTLY asked for, but the view has never been populated. */
        NOT_POPULATED,
        /** Another refresh of the same view holds its lock; see {@link #holder()}. */
        BUSY,
        /** The refresh (or the wait for another one) took longer than the refresh timeout and was cancelled. */
        TIMEOUT,
        /** Vista is stopping and cancelled it. */
        CANCELLED,
        /** PostgreSQL refused the refresh; the message is PostgreSQL's. */
        FAILED
    }

    private final Reason reason;
    private final String view;
    private final transient Holder holder;
    private final transient List<RefreshResult> completed;

    RefreshException(Reason reason, String view, String message, Holder holder, List<RefreshResult> completed, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.view = view;
        this.holder = holder;
        this.completed = List.copyOf(completed);
    }

    RefreshException(Reason reason, String view, String message) {
        this(reason, view, message, null, List.of(), null);
    }

    RefreshException after(List<RefreshResult> done) {
        return new RefreshException(reason, view, getMessage(), holder, done, getCause());
    }

    public Reason reason() {
        return reason;
    }

    public String view() {
        return view;
    }

    public Holder holder() {
        return holder;
    }

    public List<RefreshResult> completed() {
        return completed;
    }
}
