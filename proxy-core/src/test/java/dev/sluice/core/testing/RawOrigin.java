package dev.sluice.core.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A recording origin on plain sockets, one thread per connection: it keeps every byte it receives
 * and reads requests from them the way a typical backend does (a chunked {@code Transfer-Encoding}
 * wins over {@code Content-Length}; no length means no body), so a request smuggled inside another
 * one's body shows up here as a request of its own. Each request it reads is recorded and answered
 * by {@link #respondWith responder}; the default answer is 200 with the body {@code conn C METHOD TARGET},
 * so a client that receives another client's response can tell.
 */
public final class RawOrigin implements AutoCloseable {

    /** One request as the origin read it. */
    public record Received(int connection, String method, String target, List<String[]> headers, byte[] body) {
        /** The values of every header line named {@code name} (any case), in order. */
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        public String header(String name) {
            List<String> all = headers(name);
            return all.isEmpty() ? null : all.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final ScheduledExecutorService pacer;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> raw = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Function<Received, Reply> responder = r -> new Reply(named(r), false);
    /** Connections waiting for the start of their next request, by connection number. */
    private final Set<Integer> waiting = ConcurrentHashMap.newKeySet();
    /** Connections being served: reading a request or waiting for one. */
    private final AtomicInteger busyOrWaiting = new AtomicInteger();

    /** What to answer a request with: these bytes, then (with {@code close}) the end of the connection. */
    public record Reply(byte[] bytes, boolean close) {
    }

    private RawOrigin(int backlog, long acceptEveryMillis) throws IOException {
        server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        if (acceptEveryMillis > 0) {
            pacer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raw-origin-accept");
                t.setDaemon(true);
                return t;
            });
            pacer.scheduleWithFixedDelay(this::acceptOne, 0, acceptEveryMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            acceptor = null;
        } else {
            pacer = null;
            acceptor = new Thread(this::accept, "raw-origin-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    public static RawOrigin start() throws IOException {
        return new RawOrigin(50, 0);
    }

    /**
     * An origin that is slow to accept: a listen backlog of {@code backlog} and one connection
     * accepted every {@code acceptEveryMillis}, so a burst of connects overflows the queue and the
     * kernel drops SYNs (the client's retransmits them after about a second).
     */
    public static RawOrigin slowToAccept(int backlog, long acceptEveryMillis) throws IOException {
        return new RawOrigin(backlog, acceptEveryMillis);
    }

    /** From now on, answer each request with the bytes {@code f} returns (written as they are; null hangs up). */
    public RawOrigin respondWith(Function<Received, byte[]> f) {
        this.responder = r -> {
            byte[] b = f.apply(r);
            return b == null ? null : new Reply(b, false);
        };
        return this;
    }

    /** From now on, answer each request with what {@code f} returns (null hangs up at once). */
    public RawOrigin replyWith(Function<Received, Reply> f) {
        this.responder = f;
        return this;
    }

    /**
     * Whether every connection has read everything sent to it so far and waits for its next
     * request: then {@link #received} holds every request the proxy sent (for tests that send and
     * then look).
     */
    public boolean settled() {
        return waiting.size() == busyOrWaiting.get();
    }

    /** The default answer: 200 naming the connection and the request's method and target. */
    public static byte[] named(Received r) {
        return ok("conn " + r.connection() + " " + r.method() + " " + r.target());
    }

    /** A 200 with {@code body} and its Content-Length. */
    public static byte[] ok(String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return ("HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Every request read so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Every byte received so far, connection after connection. */
    public String rawText() {
        StringBuilder b = new StringBuilder();
        for (ByteArrayOutputStream r : raw) {
            synchronized (r) {
                b.append(r.toString(StandardCharsets.ISO_8859_1));
            }
        }
        return b.toString();
    }

    public int connections() {
        return connections.get();
    }

    /** Forgets what was received (between the cases of one test class). */
    public void clear() {
        received.clear();
        raw.clear();
    }

    @Override
    public void close() throws IOException {
        if (pacer != null) {
            pacer.shutdownNow();
        }
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void accept() {
        while (!server.isClosed() && acceptOne()) {
            // one connection after another
        }
    }

    /** Accepts one connection and serves it on a thread of its own; false once closed. */
    private boolean acceptOne() {
        try {
            Socket s = server.accept();
            sockets.add(s);
            int n = connections.incrementAndGet();
            Thread t = new Thread(() -> serve(s, n), "raw-origin-" + n);
            t.setDaemon(true);
            t.start();
            return true;
        } catch (IOException e) {
            return false; // closed
        }
    }

    private void serve(Socket s, int connection) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        raw.add(log);
        busyOrWaiting.incrementAndGet();
        try (s) {
            InputStream buffered = new BufferedInputStream(s.getInputStream());
            InputStream in = new Tee(buffered, log);
            OutputStream out = s.getOutputStream();
            while (true) {
                // Waiting only when nothing read is left unparsed (checked by this thread: the stream's lock is its own).
                if (buffered.available() == 0) {
                    waiting.add(connection);
                }
                int first = in.read();
                waiting.remove(connection);
                if (first < 0) {
                    return;
                }
                InputStream request = new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), in);
                // Every request already here is read (and recorded) before the first is answered, so a test that
                // sees its answer also sees what came with it (a smuggled request, say).
                List<Received> batch = new ArrayList<>();
                do {
                    Received r = readRequest(batch.isEmpty() ? request : in, connection);
                    if (r == null) {
                        answerAll(batch, out);
                        return; // closed, possibly inside a request: only complete requests are recorded
                    }
                    received.add(r);
                    batch.add(r);
                } while (buffered.available() > 0);
                if (!answerAll(batch, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed or reset the connection
        } finally {
            waiting.remove(connection);
            busyOrWaiting.decrementAndGet();
        }
    }

    /** Answers {@code batch} in order; false when a reply hung up or closed the connection. */
    private boolean answerAll(List<Received> batch, OutputStream out) throws IOException {
        for (Received r : batch) {
            Reply answer = responder.apply(r);
            if (answer == null) {
                return false; // the responder hangs up
            }
            out.write(answer.bytes());
            out.flush();
            if (answer.close()) {
                return false;
            }
        }
        return true;
    }

    private static Received readRequest(InputStream in, int connection) throws IOException {
        String line = line(in);
        while (line != null && line.isEmpty()) {
            line = line(in);
        }
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", 3);
        List<String[]> headers = new ArrayList<>();
        long length = 0;
        boolean chunked = false;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            String name = colon < 0 ? h : h.substring(0, colon);
            String value = colon < 0 ? "" : h.substring(colon + 1).trim();
            headers.add(new String[] {name, value});
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")) {
                length = Long.parseLong(value.split(",")[0].trim());
            } else if (lower.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String sizeLine = line(in);
                if (sizeLine == null) {
                    return null; // the connection closed inside the body: no backend acts on that
                }
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    String t;
                    while ((t = line(in)) != null && !t.isEmpty()) {
                        headers.add(new String[] {"trailer:" + t.substring(0, Math.max(0, t.indexOf(':'))), t});
                    }
                    break;
                }
                byte[] data = in.readNBytes((int) size);
                if (data.length < size) {
                    return null;
                }
                body.write(data);
                line(in);
            }
        } else if (length > 0) {
            byte[] data = in.readNBytes((int) length);
            if (data.length < length) {
                return null;
            }
            body.write(data);
        }
        return new Received(connection, parts[0], parts.length > 1 ? parts[1] : "", headers, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    /** Copies what is read into a log. */
    private static final class Tee extends InputStream {
        private final InputStream in;
        private final ByteArrayOutputStream log;

        Tee(InputStream in, ByteArrayOutputStream log) {
            this.in = in;
            this.log = log;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                synchronized (log) {
                    log.write(c);
                }
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                synchronized (log) {
                    log.write(b, off, n);
                }
            }
            return n;
        }
    }
}
