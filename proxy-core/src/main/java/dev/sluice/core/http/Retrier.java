package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.RetryConfig;
import dev.sluice.core.upstream.Backoff;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import java.util.function.LongUnaryOperator;

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
 * Each attempt goes to a node this request has not tried. One instance per channel, reused per
 * request; event-loop confined.
 */
final class Retrier {

    /** The most attempts one request makes, whatever the policy says. */
    static final int MAX_ATTEMPTS = 16;

    private final Node[] tried = new Node[MAX_ATTEMPTS];
    private int attempts;
    /** A uniform random long in [0, bound]: the jitter of the backoff. */
    private final LongUnaryOperator random;

    /** @param random a uniform random long in {@code [0, bound]} for {@code bound}; tests pass a fixed one */
    Retrier(LongUnaryOperator random) {
        this.random = requireNonNull(random, "random");
    }

    /** A new request's first attempt goes to {@code first}. */
    void begin(Node first) {
        attempts = 1;
        tried[0] = first;
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
        tried[attempts - 1] = n;
    }

    /** Whether an earlier attempt of this request went to {@code n}. */
    boolean tried(Node n) {
        for (int i = 0; i < attempts - 1; i++) {
            if (tried[i] == n) {
                return true;
            }
        }
        return false;
    }
}
