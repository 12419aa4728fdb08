package dev.sluice.admin.demo;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --demo-load}: a mixed load against the demo listener, so the dashboard has something to
 * show. {@link #PER_SECOND} requests a second for {@link #DURATION} at most (it stops by itself),
 * to a loopback address only: 40% to {@code /users} by {@code X-User-Id} (after
 * {@link #HOT_AFTER}, half of those for one user, {@code celebrity}, who turns hot and is split),
 * 25% to {@code /} (drr, with the slow node), 25% to {@code /api} (peak-ewma), 10% as the noisy
 * tenant, who is limited to 5 a second and gets 429s. At most {@link #MAX_IN_FLIGHT} requests wait
 * at once; beyond that a tick is skipped, so a stalled proxy is not flooded.
 */
public final class DemoLoad implements AutoCloseable {

    public static final int PER_SECOND = 200;
    public static final Duration DURATION = Duration.ofMinutes(2);
    static final Duration HOT_AFTER = Duration.ofSeconds(3);
    static final int MAX_IN_FLIGHT = 256;

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-demo-load");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final long startNanos = System.nanoTime();

    /** Starts sending to {@code listener}, which must be a loopback address. */
    public DemoLoad(InetSocketAddress listener) {
        if (!listener.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--demo-load sends only to loopback, not " + listener);
        }
        this.base = "http://" + listener.getAddress().getHostAddress() + ":" + listener.getPort();
        ticks.scheduleAtFixedRate(this::tick, 0, 1_000_000 / PER_SECOND, TimeUnit.MICROSECONDS);
        ticks.schedule(this::close, DURATION.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (inFlight.get() >= MAX_IN_FLIGHT) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean hot = System.nanoTime() - startNanos > HOT_AFTER.toNanos();
        double u = random.nextDouble();
        HttpRequest.Builder r;
        if (u < 0.40) {
            String user = hot && random.nextBoolean() ? "celebrity" : "user-" + random.nextInt(1000);
            r = HttpRequest.newBuilder(URI.create(base + "/users/profile")).header("X-User-Id", user);
        } else if (u < 0.65) {
            r = HttpRequest.newBuilder(URI.create(base + "/"));
        } else if (u < 0.90) {
            r = HttpRequest.newBuilder(URI.create(base + "/api/orders"));
        } else {
            r = HttpRequest.newBuilder(URI.create(base + "/api/reports")).header("X-Tenant-Id", "noisy");
        }
        inFlight.incrementAndGet();
        http.sendAsync(r.timeout(Duration.ofSeconds(5)).build(), BodyHandlers.discarding()).whenComplete((resp, error) -> {
            inFlight.decrementAndGet();
            statuses.computeIfAbsent(error != null ? 0 : resp.statusCode(), k -> new LongAdder()).increment();
        });
    }

    /** Answers so far by status (0: no answer). */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public void close() {
        if (!ticks.isShutdown()) {
            ticks.shutdown();
            System.out.println("Demo load finished: answers by status " + statuses());
        }
    }
}
