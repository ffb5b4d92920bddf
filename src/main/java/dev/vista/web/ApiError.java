package dev.vista.web;

// The JSON body of every error response, shaped like PostgREST's: {"code", "message", "details", "hint"}.
public record ApiError(String code, String message, Object details, String hint) {
}
