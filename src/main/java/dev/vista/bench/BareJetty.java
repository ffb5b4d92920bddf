package dev.vista.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty alone (the server under Javalin), answering every request with a constant from a handler of its own: what one
 * HTTP exchange costs on this machine before any framework, route, header or byte of Vista's, the reference that shows
 * how much of Vista's floor is the HTTP server itself.
 */
final class BareJetty implements AutoCloseable {

    private static final byte[] BODY = "ok\n".getBytes(StandardCharsets.US_ASCII);

    private final Server server;
    private final ServerConnector connector;

    private BareJetty(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    static BareJetty start() throws Exception {
        var server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        });
        server.start();
        return new BareJetty(server, connector);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
