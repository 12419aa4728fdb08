package dev.sluice.core.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain-socket HTTP/1.1 client for tests that need bytes the JDK client will not send (hop-by-hop
 * headers, malformed requests) or want to see the connection itself. Reads one response at a time,
 * framed by Content-Length or chunked encoding.
 */
public final class RawHttp implements AutoCloseable {

    /** One parsed response. */
    public record Response(int status, Map<String, String> headers, String body, Map<String, String> trailers) {
        public Response(int status, Map<String, String> headers, String body) {
            this(status, headers, body, Map.of());
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** A trailer of a chunked response, or null. */
        public String trailer(String name) {
            return trailers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(InetSocketAddress address) throws IOException {
        this(address, null);
    }

    /** Connects from {@code localIp} (another loopback address, say), or from any address when null. */
    public RawHttp(InetSocketAddress address, String localIp) throws IOException {
        this(address, localIp, 10_000);
    }

    /** As {@link #RawHttp(InetSocketAddress, String)}, every read waiting at most {@code timeoutMillis}. */
    public RawHttp(InetSocketAddress address, String localIp, int timeoutMillis) throws IOException {
        socket = new Socket();
        if (localIp != null) {
            socket.bind(new InetSocketAddress(localIp, 0));
        }
        socket.connect(address, 5000);
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawHttp send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** Reads the response to a HEAD request: headers only, whatever Content-Length says. */
    public Response readHead() throws IOException {
        return read(true);
    }

    private Response read(boolean head) throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while (!(l = line()).isEmpty()) {
            int c = l.indexOf(':');
            headers.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || code == 204 || code == 304) {
            return new Response(code, headers, "");
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            int size;
            while ((size = Integer.parseInt(line().trim(), 16)) > 0) {
                body.write(in.readNBytes(size));
                line();
            }
            Map<String, String> trailers = new LinkedHashMap<>();
            for (String t; !(t = line()).isEmpty(); ) {
                int c = t.indexOf(':');
                trailers.put(t.substring(0, c).trim().toLowerCase(Locale.ROOT), t.substring(c + 1).trim());
            }
            return new Response(code, headers, body.toString(StandardCharsets.ISO_8859_1), trailers);
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        return new Response(code, headers, body.toString(StandardCharsets.ISO_8859_1)); // byte for byte
    }

    /** Whether the server closed the connection (EOF within the socket timeout). */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /**
     * Reads to the end of the stream and says how it ended: true for a clean close (FIN), false
     * for a reset, or when nothing ended within the socket timeout. Bytes before the end are
     * skipped.
     */
    public boolean endsCleanly() throws IOException {
        try {
            while (in.read() != -1) {
                // skip
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false; // reset
        }
    }

    /** Ends this side's output: the peer reads the end of the stream. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Writes raw bytes. */
    public RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
