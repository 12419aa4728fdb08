package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.RetryConfig;
import dev.sluice.core.balance.PickContext;
import dev.sluice.core.upstream.Backoff;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Whether a failed attempt of one request may be followed by another, on which node, and after
 * what wait. Two kinds of failed attempt:
 * <ul>
 *   <li><b>never sent</b> (connect refused or timed out: not a byte reached the node): any method
 *       may go to another node, as HAProxy's {@code retries} with {@code option redispatch}; once
 *       without a retry policy, up to {@code retries.attempts} with one (and its budget), at once
 *       without a policy, after the policy's backoff with one;</li>
 *   <li><b>sent</b>: only with a retry policy whose {@code retryOn} names the failure, for an
 *       idempotent request (or one with {@code Idempotency-Key}) kept whole for replay, before any
 *       byte reached the client, within attempts and budget.</li>
 * </ul>
 * Each attempt goes to a node this request has not tried. What it takes to send the request again
 * is kept in a {@link Replay}. One instance per channel, reused per request; event-loop confined.
 */
final class Retrier {

    private static final System.Logger LOG = System.getLogger(Retrier.class.getName());
    /** The most attempts one request makes, whatever the policy says. */
    static final int MAX_ATTEMPTS = 16;

    /** The node of each attempt so far; slot 0 in {@link #first}, the rest made by the first retry (most requests have none). */
    private @Nullable Node first;
    private Node @Nullable [] tried;
    private int attempts;
    /** A uniform random long in [0, bound]: the jitter of the backoff. */
    private final LongUnaryOperator random;
    private final Replay replay = new Replay();
    private @Nullable ScheduledFuture<?> timer;
    private HttpResponseStatus failStatus = HttpResponseStatus.BAD_GATEWAY;
    private String failReason = "";
    /** The head of a request that failed before it left (a connect failure): sent as it is, not replayed. */
    private @Nullable HttpRequest unsent;
    private boolean replaying;
    /** The most request body kept for a replay ({@code retries.maxReplayBodyBytes}), read once per request. */
    private long replayLimit;

    /** @param random a uniform random long in {@code [0, bound]} for {@code bound}; tests pass a fixed one */
    Retrier(LongUnaryOperator random) {
        this.random = requireNonNull(random, "random");
    }

    /** A new request's first attempt goes to {@code first}. */
    void begin(Node first) {
        attempts = 1;
        this.first = first;
        replaying = false;
    }

    /**
     * A new request of {@code cluster}, first sent to {@code first}: starts keeping {@code head}
     * for a replay when the cluster retries, and counts the request in the retry budget.
     */
    void begin(Cluster cluster, Node first, HttpRequest head, long nowNanos) {
        begin(first);
        RetryConfig retry = cluster.config().retries();
        replay.begin(head, retry != null && retry.attempts() > 0);
        replayLimit = retry == null ? 0 : retry.maxReplayBodyBytes().bytes();
        if (cluster.retryBudget() != null) {
            cluster.retryBudget().recordRequest(nowNanos);
        }
    }

    /** A body part about to go upstream: kept for a replay while under {@code retries.maxReplayBodyBytes}. */
    void keep(HttpContent part) {
        replay.keep(part, replayLimit);
    }

    /** What a replay sends. */
    Replay replay() {
        return replay;
    }

    /** The request is over: what was kept for a replay is released, a retry waiting for its backoff cancelled. */
    void clear() {
        replay.clear();
        if (unsent != null) {
            ReferenceCountUtil.release(unsent);
            unsent = null;
        }
        if (timer != null) {
            timer.cancel(false); // it must not fire into the next request of the channel
            timer = null;
        }
    }

    /**
     * Counts the next attempt and runs {@code task} on {@code executor} after its backoff;
     * {@code status} and {@code reason} are what the client gets if no node is left to try.
     *
     * @param pending the head the failed attempt had not sent yet, or null; owned here from now
     * @param unsentHead whether {@code pending} is the request's own head (it failed before the
     *     first byte left), to be sent as it is; otherwise it is a replay's copy and is released
     */
    void schedule(Cluster cluster, EventExecutor executor, Runnable task, String trigger, HttpResponseStatus status,
            String reason, @Nullable String requestId, @Nullable HttpRequest pending, boolean unsentHead) {
        if (unsentHead) {
            unsent = pending;
        } else if (pending != null) {
            ReferenceCountUtil.release(pending);
        }
        failStatus = status;
        failReason = reason;
        long delay = nextAttempt(cluster);
        cluster.countRetry();
        LOG.log(System.Logger.Level.DEBUG, "retry request={0} attempt={1} after={2} delayMs={3}",
                requestId, attempts, trigger, delay / 1_000_000);
        timer = executor.schedule(() -> {
            timer = null;
            task.run();
        }, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * The head the next attempt sends: the unsent one as it is, or else the kept one for a replay
     * (then {@link #replaying} is true). The caller owns it.
     */
    HttpRequest nextHead() {
        HttpRequest h = unsent;
        unsent = null;
        replaying = h == null;
        return h != null ? h : replay.head();
    }

    /** Whether the attempt in progress sends the kept request again. */
    boolean replaying() {
        return replaying;
    }

    /** The status of the failure that led to the scheduled attempt. */
    HttpResponseStatus failStatus() {
        return failStatus;
    }

    /** The reason of the failure that led to the scheduled attempt. */
    String failReason() {
        return failReason;
    }

    /** The attempt in progress, 1-based. */
    int attempts() {
        return attempts;
    }

    /**
     * Whether another attempt may follow the one that just failed; takes a retry from the budget
     * when it is a policy's retry.
     *
     * @param unsent no byte of the request reached the node
     * @param trigger the failure, as {@code retries.retryOn} names it
     * @param whole the whole request is in hand for a replay (read to its end, and kept)
     */
    boolean mayRetry(Cluster cluster, boolean unsent, String trigger, boolean responseStarted, boolean idempotent,
            boolean whole, long nowNanos) {
        RetryConfig cfg = cluster.config().retries();
        if (responseStarted || attempts >= MAX_ATTEMPTS) {
            return false;
        }
        if (unsent) {
            return cfg == null ? attempts == 1 : attempts <= cfg.attempts() && cluster.retryBudget().tryAcquireRetry(nowNanos);
        }
        return cfg != null && idempotent && whole && attempts <= cfg.attempts() && cfg.retryOn().contains(trigger)
                && cluster.retryBudget().tryAcquireRetry(nowNanos);
    }

    /** {@link #mayRetry(Cluster, boolean, String, boolean, boolean, boolean, long)} with what the replay kept of a request read to its end or not. */
    boolean mayRetry(Cluster cluster, boolean unsent, String trigger, boolean responseStarted, boolean requestRead, long nowNanos) {
        return mayRetry(cluster, unsent, trigger, responseStarted, replay.retryable(), requestRead && replay.replayable(), nowNanos);
    }

    /** Counts the next attempt and returns how long to wait before it: full jitter under the policy's backoff, or none. */
    long nextAttempt(Cluster cluster) {
        RetryConfig cfg = cluster.config().retries();
        long delay = cfg == null ? 0
                : random.applyAsLong(Backoff.capNanos(cfg.backoff().base().toNanos(), cfg.backoff().max().toNanos(), attempts));
        attempts++;
        return delay;
    }

    /** The next attempt goes to {@code n}. */
    void sendTo(Node n) {
        if (attempts == 1) {
            first = n;
            return;
        }
        if (tried == null) {
            tried = new Node[MAX_ATTEMPTS];
        }
        tried[attempts - 1] = n;
    }

    /**
     * The balancer's pick for the next attempt among the nodes this request has not tried, or null
     * when a bounded number of picks finds none.
     */
    @Nullable Node untried(Cluster cluster, PickContext pick) {
        for (int i = 0; i < 2 * cluster.nodes().size() + 2; i++) {
            Node candidate = cluster.pick(pick);
            if (candidate == null) {
                return null;
            }
            if (!tried(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Whether an earlier attempt of this request went to {@code n}. */
    boolean tried(Node n) {
        if (attempts > 1 && first == n) {
            return true;
        }
        for (int i = 1; tried != null && i < attempts - 1; i++) {
            if (tried[i] == n) {
                return true;
            }
        }
        return false;
    }
}
