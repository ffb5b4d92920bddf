package dev.vista.web;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Sends 304s without the {@code Content-Length: 0} that Jetty 12 puts on every response completed without a length
 * (the bytes written, none for a 304). RFC 9110 (8.6) allows a 304 a Content-Length only when it is the length the
 * 200 would have had, which a 304 of a report never knows without reading the rows it is there to spare. Only
 * conditional requests, the ones that can be answered 304, get the wrapper.
 */
public final class NotModifiedWithoutLength implements HttpConfiguration.Customizer {

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        var headers = request.getHeaders();
        if (headers.contains(HttpHeader.IF_NONE_MATCH) || headers.contains(HttpHeader.IF_MODIFIED_SINCE)) {
            request.addHttpStreamWrapper(NotModifiedWithoutLength::wrap);
        }
        return request;
    }

    private static HttpStream wrap(HttpStream stream) {
        return new HttpStream.Wrapper(stream) {
            @Override
            public void send(MetaData.Request request, MetaData.Response response, boolean last, ByteBuffer content, Callback callback) {
                if (response != null && response.getStatus() == HttpStatus.NOT_MODIFIED_304 && response.getHttpFields().contains(HttpHeader.CONTENT_LENGTH)) {
                    var fields = HttpFields.build(response.getHttpFields()).remove(HttpHeader.CONTENT_LENGTH);
                    response = new MetaData.Response(response.getStatus(), response.getReason(), response.getHttpVersion(), fields, -1,
                            response.getTrailersSupplier());
                }
                super.send(request, response, last, content, callback);
            }
        };
    }
}
