package dev.vista.refresh;

/**
 * What to refresh and how. {@code cascade} also refreshes the materialized views it reads from (first) and those
 * that read from it (after); {@code fallback} refreshes plainly where CONCURRENTLY is impossible instead of
 * refusing; {@code waitIfRunning} waits for a refresh of the same view that is already running instead of refusing.
 */
public record RefreshRequest(String view, boolean concurrently, boolean cascade, boolean fallback, boolean waitIfRunning, Trigger trigger) {

    public static RefreshRequest of(String view) {
        return new RefreshRequest(view, false, false, false, false, Trigger.java);
    }

    public RefreshRequest asConcurrent() {
        return new RefreshRequest(view, true, cascade, fallback, waitIfRunning, trigger);
    }

    public RefreshRequest withCascade() {
        return new RefreshRequest(view, concurrently, true, fallback, waitIfRunning, trigger);
    }

    public RefreshRequest withFallback() {
        return new RefreshRequest(view, concurrently, cascade, true, waitIfRunning, trigger);
    }

    public RefreshRequest waiting() {
        return new RefreshRequest(view, concurrently, cascade, fallback, true, trigger);
    }

    public RefreshRequest by(Trigger trigger) {
        return new RefreshRequest(view, concurrently, cascade, fallback, waitIfRunning, trigger);
    }
}
