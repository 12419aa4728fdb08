package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.RequestContext;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * The attempts of one request: the first goes to the picked node, and a failed one either ends
 * the exchange or, when the {@link Failure} and the {@link Retrier} allow, is followed by another
 * on a node not tried yet, after the backoff. Holds the request head while a connection is being
 * acquired for it. One per exchange, reused per request; event-loop confined.
 *
 * <p>Buffers: {@link #pendingHead} is owned here until {@link #takeHead} hands it to be written,
 * or the retrier takes it for the next attempt, or {@link #clear} releases it.
 */
final class Attempts {

    /** What the attempts need of their exchange. */
    interface Exchange {
        /** Ends the exchange: a local reply with {@code status} and {@code reason}, or a close mid-response. */
        void abort(HttpResponseStatus status, String reason);

        /** Whether a byte of the response may have reached the client. */
        boolean responseStarted();

        /** Whether the whole request has gone upstream. */
        boolean requestDone();
    }

    private final Exchange exchange;
    private UpstreamLease lease;
    private final Retrier retrier;
    private final RequestContext rc;
    private final Ticker ticker;
    private final EventExecutor executor;
    private final Runnable retryTask = this::retryNow;
    private @Nullable HttpRequest pendingHead;

    /** @param lease the lease until {@link #first} names the request's own */
    Attempts(Exchange exchange, UpstreamLease lease, Retrier retrier, RequestContext rc, Ticker ticker, EventExecutor executor) {
        this.exchange = requireNonNull(exchange, "exchange");
        this.lease = requireNonNull(lease, "lease");
        this.retrier = requireNonNull(retrier, "retrier");
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.executor = requireNonNull(executor, "executor");
    }

    /** The first attempt, on {@code through} (the cluster's kind of lease): {@code head} waits for a connection to {@code first}. */
    void first(UpstreamLease through, Cluster cluster, Node first, HttpRequest head, long nowNanos) {
        lease = through;
        retrier.begin(cluster, first, head, nowNanos);
        lease.begin(first);
        pendingHead = head;
        lease.acquire();
    }

    /** The connection is there: the head to write, now owned by the caller. */
    HttpRequest takeHead() {
        HttpRequest head = pendingHead;
        pendingHead = null;
        return head;
    }

    /** The attempt failed: blame and count, then try another node, or end the exchange (a reply, or a close mid-response). */
    void fail(Failure f, String reason) {
        if (f.blamesNode() && lease.node() != null && !exchange.responseStarted()) {
            lease.recordFailure();
        }
        f.count(rc.cluster(), rc);
        if (f.retryOn() == null || !retry(f.retryOn(), f.status(), reason)) {
            exchange.abort(f.status(), reason);
        }
    }

    /** Tries again on another node, after the backoff, if the {@link Retrier} allows; false when the request must fail. */
    boolean retry(String trigger, HttpResponseStatus status, String reason) {
        Cluster cluster = rc.cluster();
        boolean unsent = pendingHead != null && !retrier.replaying(); // failed before the first byte went upstream
        if (!retrier.mayRetry(cluster, unsent, trigger, exchange.responseStarted(), exchange.requestDone(), ticker.nanoTime())) {
            return false;
        }
        HttpRequest head = takeHead();
        lease.end(false);
        retrier.schedule(cluster, executor, retryTask, trigger, status, reason, rc.requestId(), head, unsent);
        Tracing.retry(rc.span(), retrier.attempts() - 1, trigger, reason);
        return true;
    }

    /** The backoff is over: send the kept request to a node this request has not tried. */
    private void retryNow() {
        Node next = retrier.untried(rc.cluster(), rc);
        if (next == null) {
            exchange.abort(retrier.failStatus(), retrier.failReason() + " (no other node to retry on)");
            return;
        }
        retrier.sendTo(next);
        lease.begin(next);
        pendingHead = retrier.nextHead();
        lease.acquire();
    }

    /** The request is over: a head still waiting is released, and what the retrier kept. */
    void clear() {
        ReferenceCountUtil.release(pendingHead); // null when nothing waits
        pendingHead = null;
        retrier.clear();
    }
}
