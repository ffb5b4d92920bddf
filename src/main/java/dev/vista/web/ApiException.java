package dev.vista.web;

// An error for the client, with its HTTP status; the single mapper in Errors writes it as an ApiError.
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final transient Object details;
    private final String hint;

    public ApiException(int status, String code, String message, Object details, String hint) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
        this.hint = hint;
    }

    public int status() {
        return status;
    }

    public ApiError body() {
        return new ApiError(code, getMessage(), details, hint);
    }
}
