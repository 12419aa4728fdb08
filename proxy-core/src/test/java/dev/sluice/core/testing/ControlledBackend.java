package dev.sluice.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback backend a test steers while it runs: it answers 200 with its name, can be stalled
 * (requests wait, unanswered, until {@link #release}, at most 30 s), and adds whatever response
 * headers the test sets ({@link #header}). Counts requests in all and while stalled.
 */
public final class ControlledBackend implements AutoCloseable {

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger duringStall = new AtomicInteger();
    private final Map<String, String> headers = new ConcurrentHashMap<>();
    private volatile CountDownLatch stall;

    static {
        // Without TCP_NODELAY the JDK server's small writes meet delayed ACKs: 40 ms per keep-alive request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private ControlledBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            CountDownLatch s = stall;
            if (s != null) {
                duringStall.incrementAndGet();
                try {
                    s.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            served.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] body = name.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static ControlledBackend start(String name) throws IOException {
        return new ControlledBackend(name);
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on requests wait unanswered. */
    public void stall() {
        duringStall.set(0);
        stall = new CountDownLatch(1);
    }

    /** Answers every waiting request and stops stalling. */
    public void release() {
        CountDownLatch s = stall;
        stall = null;
        if (s != null) {
            s.countDown();
        }
    }

    /** Requests that arrived since {@link #stall}. */
    public int arrivedDuringStall() {
        return duringStall.get();
    }

    public int served() {
        return served.get();
    }

    /** Sets (or, with null, removes) a header on every response. */
    public void header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
