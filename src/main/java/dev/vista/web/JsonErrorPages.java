package dev.vista.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

// Jetty's own error responses (malformed request lines, URIs too long), which never reach Javalin, as JSON ApiErrors.
final class JsonErrorPages extends ErrorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    private static byte[] body(int status, String reason) {
        var message = "the request could not be read" + (reason == null || reason.isBlank() ? "" : ": " + reason);
        try {
            return JSON.writeValueAsBytes(new ApiError(Errors.codeFor(status), message, null, "check how the URL is encoded"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ApiError always serializes", e);
        }
    }
}
