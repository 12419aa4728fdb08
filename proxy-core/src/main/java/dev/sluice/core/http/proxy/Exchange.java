package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.LocalReply;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.PoolExhaustedException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response at a time on one downstream channel (an HTTP/1.1 connection or an
 * HTTP/2 stream): the attempts, the request timeout, and both directions with backpressure (the
 * {@link RequestRelay} and {@link ResponseRelay}). Where the request goes is an
 * {@link UpstreamLease}; whether to try again, a {@link Retrier}; what a failure means, a
 * {@link Failure}. One instance per channel, reused per request; event-loop confined.
 *
 * <p>Buffers: the request head is held in {@link #pendingHead} only while a connection is being
 * acquired; whoever clears the field writes or releases it.
 */
final class Exchange implements UpstreamLease.Events {

    private final ChannelHandlerContext ctx;
    private final RequestContext rc;
    private final Ticker ticker;
    private final long requestTimeoutNanos;
    private final UpstreamLease lease;
    private final Retrier retrier = new Retrier(bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    private final RequestRelay request;
    private final ResponseRelay response;
    private final Runnable requestTimeoutTask = this::onRequestTimeout;
    private final Runnable retryTask = this::retryNow;

    private boolean active;
    private @Nullable HttpRequest pendingHead;
    private @Nullable ScheduledFuture<?> requestTimer;
    private long exchangeStart;

    Exchange(ChannelHandlerContext ctx, RequestContext rc, Ticker ticker, long maxBodyBytes, long requestTimeoutNanos) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.request = new RequestRelay(maxBodyBytes);
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.lease = new PooledLease(this, rc, ctx.channel().eventLoop(), ticker);
        this.response = new ResponseRelay(ctx, rc);
    }

    /** Whether a request is in progress. */
    boolean active() {
        return active;
    }

    /** A request head: a node is picked and a connection asked for, or 503 when the cluster has no node to give. */
    void start(HttpRequest head) {
        request.begin(head);
        Cluster cluster = requireNonNull(rc.cluster(), "cluster");
        Node n = cluster.pick(rc);
        if (n == null) {
            ReferenceCountUtil.release(head);
            LocalReply.noNode(ctx, rc, cluster.name(), request.done());
            return;
        }
        active = true;
        response.begin();
        exchangeStart = ticker.nanoTime();
        retrier.begin(cluster, n, head, exchangeStart);
        lease.begin(n);
        requestTimer = ctx.executor().schedule(requestTimeoutTask, requestTimeoutNanos, TimeUnit.NANOSECONDS);
        pendingHead = head;
        lease.acquire();
    }

    @Override
    public void onConnected() {
        HttpRequest head = pendingHead;
        pendingHead = null;
        request.send(head, retrier, lease);
        if (request.done()) {
            lease.requestSent();
            return;
        }
        if (rc.expectContinue()) {
            // Admitted, routed, a node picked and connected: now the client may send its body.
            rc.expectContinue(false);
            LocalReply.continue100(ctx);
        }
        if (lease.writable()) {
            ctx.read();
        }
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        if (cause instanceof PoolExhaustedException) {
            fail(Failure.ALL_AT_LIMIT, Failure.allAtLimitReason(rc.cluster(), cause));
        } else {
            fail(Failure.ofConnect(cause), Failure.connectReason(lease.node().address(), cause));
        }
    }

    /** A part of the request body from the client (or the rest of one already answered). */
    void requestPart(HttpContent content) {
        if (!active) {
            ReferenceCountUtil.release(content);
            ctx.read();
        } else if (!request.part(content, retrier, lease)) {
            fail(request.refusal(), request.refusalReason());
        } else if (request.done()) {
            lease.requestSent();
            if (response.done()) {
                complete();
            }
        } else if (lease.writable()) {
            ctx.read();
        }
    }

    @Override
    public void onUpstreamRead(HttpObject msg) {
        Node node = lease.node();
        if (!active || node == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ResponseRelay.Part part = response.sort(msg);
        if (part == ResponseRelay.Part.MALFORMED) {
            fail(Failure.MALFORMED_RESPONSE, "upstream " + node.address() + " sent a malformed response");
            return;
        }
        if (part == ResponseRelay.Part.DROPPED || (part == ResponseRelay.Part.HEAD && retried((HttpResponse) msg, node))) {
            return;
        }
        if (!(msg instanceof LastHttpContent last)) {
            response.write(msg, lease);
            return;
        }
        response.last();
        rc.upstream(node, retrier.attempts(), ticker.nanoTime() - exchangeStart); // before the last write: the access log reads it
        if (request.done()) {
            response.end(last, false);
            complete();
        } else {
            // The upstream answered before the request body was sent: the body is not wanted.
            finish(false);
            response.end(last, true);
        }
    }

    /** A final head: recorded for the node, then passed on, or released when a 502/503/504 is tried again elsewhere. */
    private boolean retried(HttpResponse head, Node node) {
        int code = head.status().code();
        lease.recordResponse(code);
        if ((code == 502 || code == 503 || code == 504)
                && retry(Integer.toString(code), HttpResponseStatus.BAD_GATEWAY, "upstream " + node.address() + " answered " + code)) {
            ReferenceCountUtil.release(head); // the rest of this answer is dropped with its connection
            return true;
        }
        response.start(head);
        return false;
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && active && !request.done() && lease.writable()) {
            ctx.read();
        }
    }

    /** The client's channel became writable or not: the response is read from the upstream only while it is. */
    void clientWritable(boolean writable) {
        if (active) {
            lease.readResponse(writable);
        }
    }

    @Override
    public void onUpstreamTimeout() {
        if (active && !response.started()) {
            fail(Failure.RESPONSE_TIMEOUT, Failure.responseTimeoutReason(lease.node().address(), rc.cluster()));
        }
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
        if (active) {
            fail(Failure.UPSTREAM_CLOSED, Failure.closedReason(lease.node().address(), cause));
        }
    }

    /** {@code requestTimeout} passed: 408 while the request is still arriving, 504 while the response is awaited. */
    private void onRequestTimeout() {
        requestTimer = null;
        if (active) {
            String within = " within " + requestTimeoutNanos / 1_000_000 + "ms (requestTimeout)";
            fail(request.done() ? Failure.REQUEST_TIMEOUT : Failure.REQUEST_NOT_RECEIVED,
                    request.done() ? "request not completed" + within : "request not received" + within);
        }
    }

    /** The attempt failed: blame and count, then try another node, or answer (or close, mid-response). */
    private void fail(Failure f, String reason) {
        if (f.blamesNode() && lease.node() != null && !response.started()) {
            lease.recordFailure();
        }
        f.count(rc.cluster(), rc);
        if (f.retryOn() == null || !retry(f.retryOn(), f.status(), reason)) {
            abort(f.status(), reason);
        }
    }

    /** Tries again on another node, after the backoff, if the {@link Retrier} allows; false when the request must fail. */
    private boolean retry(String trigger, HttpResponseStatus status, String reason) {
        Cluster cluster = rc.cluster();
        boolean unsent = pendingHead != null && !retrier.replaying(); // failed before the first byte went upstream
        if (!retrier.mayRetry(cluster, unsent, trigger, response.started(), request.done(), ticker.nanoTime())) {
            return false;
        }
        HttpRequest head = pendingHead;
        pendingHead = null;
        lease.end(false);
        retrier.schedule(cluster, ctx.executor(), retryTask, trigger, status, reason, rc.requestId(), head, unsent);
        return true;
    }

    /** The backoff is over: send the kept request to a node this request has not tried. */
    private void retryNow() {
        Node next = retrier.untried(rc.cluster(), rc);
        if (next == null) {
            abort(retrier.failStatus(), retrier.failReason() + " (no other node to retry on)");
            return;
        }
        retrier.sendTo(next);
        lease.begin(next);
        pendingHead = retrier.nextHead();
        lease.acquire();
    }

    /** Ends the exchange with a local reply if the response has not started, else by closing. */
    private void abort(HttpResponseStatus status, String reason) {
        boolean complete = request.done();
        boolean started = response.started();
        finish(false);
        if (started) {
            ctx.close();
        } else {
            LocalReply.send(ctx, rc, status, reason, complete);
        }
    }

    /** Both directions ended: the connection goes back to its pool and the next request is asked for, if the client wants one. */
    private void complete() {
        finish(response.keepAlive());
        if (!rc.http2() && rc.keepAlive() && !rc.draining()) {
            rc.awaitHead();
            ctx.read();
        } // else the keep-alive handler closes the connection after the response; nothing after it is read
    }

    /** Ends the exchange: the lease let go once; the upstream connection back to its pool only when both directions ended cleanly. */
    void finish(boolean reuse) {
        active = false;
        Node n = lease.node();
        if (n != null) {
            rc.upstream(n, retrier.attempts(), ticker.nanoTime() - exchangeStart);
        }
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
        ReferenceCountUtil.release(pendingHead); // null when nothing waits
        pendingHead = null;
        retrier.clear();
        lease.end(reuse && request.done() && response.done());
    }
}
