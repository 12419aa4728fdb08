package dev.sluice.core.fleet;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The Redis that replicas share through ({@code rateLimits.store: redis}), reached with Lettuce:
 * one multiplexed connection (a Redis Cluster connection for a list of URIs, Sentinel through a
 * {@code redis-sentinel://} URI), commands failing at once while it is disconnected and after
 * {@code rateLimits.redis.timeout} when Redis is slow, so nothing waits on a dead Redis.
 *
 * <p>Every second this replica announces itself ({@code presence.lua}): the answer is the replicas
 * alive, whose count sizes the leases and the fallback buckets. A failed command marks the store
 * down (counted, logged once); only a heartbeat that succeeds brings it back, and each return starts
 * a new {@link #epoch()} so the limiters forget leases from before the outage. Callbacks run on
 * Lettuce's threads; the state they touch is atomic. Requests never call Redis themselves: the
 * limiters spend leased tokens locally and refill them in the background.
 */
public final class RedisStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisStore.class.getName());
    /** A replica silent for longer than this no longer counts. */
    static final long PRESENCE_WINDOW_MILLIS = 3_000;

    /** Where the store stands: not reached yet, shared, or down (the limiters fall back). */
    public enum State { CONNECTING, UP, DOWN }

    private final RedisConfig config;
    private final String replicaId;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final ScheduledExecutorService timer;
    private final LuaScript lease = LuaScript.load("lease.lua");
    private final LuaScript presence = LuaScript.load("presence.lua");
    private final List<Runnable> everySecond = new CopyOnWriteArrayList<>();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile @Nullable StatefulConnection<String, String> connection;
    private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;
    private volatile State state = State.CONNECTING;
    private volatile int epoch;
    private volatile List<String> replicas = List.of();
    private volatile String lastError = "";
    private final LongAdder errors = new LongAdder();
    private final LongAdder outages = new LongAdder();
    private final LongAdder leases = new LongAdder();

    private RedisStore(RedisConfig config, String replicaId) {
        this.config = requireNonNull(config, "config");
        this.replicaId = requireNonNull(replicaId, "replicaId");
        this.resources = RedisClients.resources();
        this.client = RedisClients.client(config, resources);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-redis-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects and announces this replica, waiting at most about a second for the first answer (so
     * the limiters start shared, with the replica count known); a Redis that does not answer leaves
     * the store down, retried every second.
     */
    public static RedisStore start(RedisConfig config) {
        String host = System.getenv().getOrDefault("HOSTNAME", "sluice");
        String id = host + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        RedisStore store = new RedisStore(config, id);
        CompletableFuture<Void> first = store.heartbeat();
        try {
            first.get(Math.max(1000, config.timeout().toMillis() * 4), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Down at start: the heartbeat keeps trying; failed() has logged why.
        }
        store.timer.scheduleWithFixedDelay(() -> {
            store.heartbeat();
            for (Runnable r : store.everySecond) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "fleet task failed", e);
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        return store;
    }

    /** Runs {@code task} on the heartbeat thread every second, after the heartbeat is sent. */
    public void everySecond(Runnable task) {
        everySecond.add(requireNonNull(task, "task"));
    }

    private CompletableFuture<Void> heartbeat() {
        RedisClusterAsyncCommands<String, String> c = commands;
        if (c == null) {
            return connect().thenCompose(ok -> ok ? heartbeat() : CompletableFuture.completedFuture(null));
        }
        return presence(key("replicas"), "").handle((alive, e) -> {
            if (e != null) {
                failed(e);
            } else {
                List<String> ids = new ArrayList<>(alive.size() / 2);
                for (int i = 0; i < alive.size(); i += 2) {
                    ids.add(alive.get(i));
                }
                replicas = List.copyOf(ids);
                if (state != State.UP) {
                    epoch++;
                    if (state == State.DOWN) {
                        LOG.info("rate-limit store " + describe() + " is back: limits are shared again (" + ids.size() + " replicas)");
                    }
                    state = State.UP;
                }
            }
            return (Void) null;
        }).toCompletableFuture();
    }

    private CompletableFuture<Boolean> connect() {
        if (!connecting.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(false);
        }
        // A cluster connection needs the topology first (connectAsync does not load it; Lettuce issue 928).
        CompletableFuture<? extends StatefulConnection<String, String>> f = client instanceof RedisClusterClient cluster
                ? cluster.refreshPartitionsAsync().toCompletableFuture().thenCompose(v -> cluster.connectAsync(StringCodec.UTF8))
                : ((RedisClient) client).connectAsync(StringCodec.UTF8, RedisURI.create(config.uri().get(0))).toCompletableFuture();
        return f.handle((conn, e) -> {
            connecting.set(false);
            if (e != null) {
                failed(e);
                return false;
            }
            connection = conn;
            commands = conn instanceof StatefulRedisClusterConnection<String, String> cc ? cc.async()
                    : ((StatefulRedisConnection<String, String>) conn).async();
            return true;
        });
    }

    /**
     * Takes up to {@code want} tokens from the bucket at {@code key}: {granted, left, micros to the
     * next token, micros to full}, or a failed stage (the store is then down).
     */
    CompletionStage<List<Long>> lease(String key, long emissionMicros, long capacityMicros, long want) {
        leases.increment();
        CompletionStage<List<Long>> f = run(lease, key, Long.toString(emissionMicros), Long.toString(capacityMicros), Long.toString(want));
        return f.whenComplete((r, e) -> {
            if (e != null) {
                failed(e);
            }
        });
    }

    /** Announces {@code payload} for this replica under {@code key}; the answer is {id, payload, ...} of every replica alive there. */
    CompletionStage<List<String>> presence(String key, String payload) {
        return run(presence, key, replicaId, Long.toString(PRESENCE_WINDOW_MILLIS), payload);
    }

    private <T> CompletionStage<List<T>> run(LuaScript script, String key, String... args) {
        RedisClusterAsyncCommands<String, String> c = commands;
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        }
        String[] keys = {key};
        CompletionStage<List<T>> first = c.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        return first.handle((r, e) -> e == null ? CompletableFuture.completedFuture(r)
                : unwrap(e) instanceof RedisNoScriptException
                        ? c.<List<T>>eval(script.text(), ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                        : CompletableFuture.<List<T>>failedFuture(e))
                .thenCompose(s -> s);
    }

    private void failed(Throwable e) {
        errors.increment();
        Throwable cause = unwrap(e);
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastError = cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + (root == cause ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")");
        if (state != State.DOWN) {
            state = State.DOWN;
            outages.increment();
            LOG.warning("rate-limit store " + describe() + " is unavailable (" + lastError + "): limits fall back to "
                    + config.onFailure().yamlName() + " until it answers again");
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** {@code rateLimits.redis.keyPrefix} + ":" + {@code name}. */
    String key(String name) {
        return config.keyPrefix() + ":" + name;
    }

    public RedisConfig config() {
        return config;
    }

    /** Whether limits are shared now (false while connecting and while down). */
    public boolean up() {
        return state == State.UP;
    }

    /** Counts the returns of the store: a limiter that sees a new epoch drops its leases. */
    int epoch() {
        return epoch;
    }

    /** The replicas that announced themselves within the last 3 s, this one included (at least 1). */
    public int replicaCount() {
        return Math.max(1, replicas.size());
    }

    public List<String> replicas() {
        return replicas;
    }

    /** Failed commands (refused, timed out, errors). */
    public long errors() {
        return errors.sum();
    }

    /** Times the store went down and the limits fell back. */
    public long outages() {
        return outages.sum();
    }

    /** Leases asked of Redis (each one a round trip shared by many requests). */
    public long leasesRequested() {
        return leases.sum();
    }

    public String lastError() {
        return lastError;
    }

    /** What {@code /stats} shows of the store. */
    public record Status(String uri, String state, String onFailure, String replicaId, List<String> replicas, long errors,
            long outages, long leasesRequested, String lastError) {
    }

    public Status status() {
        return new Status(describe(), state.name().toLowerCase(java.util.Locale.ROOT), config.onFailure().yamlName(), replicaId,
                replicas, errors(), outages(), leasesRequested(), lastError);
    }

    /** The URIs without credentials. */
    public String describe() {
        return String.join(",", config.uri().stream().map(u -> u.replaceAll("//[^@/]*@", "//")).toList());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        StatefulConnection<String, String> c = connection;
        if (c != null) {
            c.closeAsync();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
