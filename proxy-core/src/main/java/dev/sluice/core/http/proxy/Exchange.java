package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.UpstreamProtocol;
import dev.sluice.core.http.LocalReply;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.time.TimerWheel;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.OrcaText;
import dev.sluice.core.upstream.PoolExhaustedException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response at a time on one downstream channel (an HTTP/1.1 connection or an
 * HTTP/2 stream): the attempts, the request timeout, and both directions with backpressure (the
 * {@link RequestRelay} and {@link ResponseRelay}). Where the request goes is an
 * {@link UpstreamLease}; whether to try again, a {@link Retrier}; what a failure means, a
 * {@link Failure}. One instance per channel, reused per request; event-loop confined.
 *
 * <p>Buffers: the request head waits in the {@link Attempts} while a connection is acquired;
 * every other part is written on at once or released.
 */
final class Exchange implements UpstreamLease.Events, Attempts.Exchange {

    private final ChannelHandlerContext ctx;
    private final RequestContext rc;
    private final Ticker ticker;
    private final PooledLease pooled;
    private final StreamLease streams;
    /** The lease of the request in progress: a pooled connection, or a stream for an h2 cluster. */
    private UpstreamLease lease;
    private final Retrier retrier = new Retrier(bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    private final RequestRelay request;
    private final ResponseRelay response;
    private final Tunnel tunnel;
    private final Attempts attempts;
    private final Deadline deadline;

    private boolean active;
    /** The response's outcome waits for its trailers (a gRPC call judged by grpc-status). */
    private boolean outcomeAtEnd;
    private long exchangeStart;

    /** @param stripHttp takes the HTTP handlers out of the client's pipeline when a WebSocket becomes a tunnel */
    Exchange(ChannelHandlerContext ctx, RequestContext rc, Ticker ticker, TimerWheel wheel, long maxBodyBytes, long requestTimeoutNanos,
            Consumer<ChannelPipeline> stripHttp) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.request = new RequestRelay(maxBodyBytes);
        this.deadline = new Deadline(requestTimeoutNanos, wheel, this::onRequestTimeout);
        this.pooled = new PooledLease(this, rc, ctx.channel().eventLoop(), ticker);
        this.streams = new StreamLease(this, rc.loopIndex(), ctx.channel().eventLoop(), ticker);
        this.lease = pooled;
        this.response = new ResponseRelay(ctx, rc);
        this.tunnel = new Tunnel(ctx, stripHttp, () -> finish(false));
        this.attempts = new Attempts(this, lease, retrier, rc, ticker, ctx.executor());
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
        outcomeAtEnd = false;
        deadline.start(rc.grpc(), head);
        lease = cluster.config().protocol() == UpstreamProtocol.H2 ? streams : pooled;
        attempts.first(lease, cluster, n, head, exchangeStart);
    }

    @Override
    public void onConnected() {
        request.send(attempts.takeHead(), retrier, lease);
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
            attempts.fail(Failure.ALL_AT_LIMIT, Failure.allAtLimitReason(rc.cluster(), cause));
        } else {
            attempts.fail(Failure.ofConnect(cause), Failure.connectReason(lease.node().address(), cause));
        }
    }

    /** A part of the request body from the client (or the rest of one already answered). */
    void requestPart(HttpContent content) {
        if (!active) {
            ReferenceCountUtil.release(content);
            ctx.read();
        } else if (!request.part(content, retrier, lease)) {
            attempts.fail(request.refusal(), request.refusalReason());
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
            attempts.fail(Failure.MALFORMED_RESPONSE, "upstream " + node.address() + " sent a malformed response");
            return;
        }
        if (part == ResponseRelay.Part.UPGRADE) {
            rc.upstream(node, retrier.attempts(), ticker.nanoTime() - exchangeStart);
            deadline.cancel(); // a tunnel lasts until a side closes or idles out, not requestTimeout
            tunnel.start((FullHttpResponse) msg, lease, response);
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
        OrcaText.take(last.trailingHeaders(), node.loadReport(), ticker.nanoTime()); // gRPC servers report in trailers
        if (outcomeAtEnd) {
            lease.recordResponse(ResponseRelay.outcome(last));
        }
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
        OrcaText.take(head.headers(), node.loadReport(), ticker.nanoTime());
        int code = head.status().code();
        int outcome = response.outcome(head);
        outcomeAtEnd = outcome < 0;
        if (!outcomeAtEnd) {
            lease.recordResponse(outcome);
        }
        if ((code == 502 || code == 503 || code == 504)
                && attempts.retry(Integer.toString(code), HttpResponseStatus.BAD_GATEWAY, "upstream " + node.address() + " answered " + code)) {
            ReferenceCountUtil.release(head); // the rest of this answer is dropped with its connection
            return true;
        }
        response.start(head, node);
        return false;
    }

    @Override
    public void onUpstreamBytes(ByteBuf bytes) {
        tunnel.fromUpstream(bytes);
    }

    /** The WebSocket tunnel this exchange may become (bytes from the client, drain). */
    Tunnel tunnel() {
        return tunnel;
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (tunnel.open()) {
            tunnel.upstreamWritable(writable);
        } else if (writable && active && !request.done() && lease.writable()) {
            ctx.read();
        }
    }

    /** The client's channel became writable or not: the response is read from the upstream only while it is. */
    void clientWritable(boolean writable) {
        if (tunnel.open()) {
            tunnel.clientWritable(writable);
        } else if (active) {
            lease.readResponse(writable);
        }
    }

    @Override
    public void onUpstreamTimeout() {
        if (active && !response.started()) {
            attempts.fail(Failure.RESPONSE_TIMEOUT, Failure.responseTimeoutReason(lease.node().address(), rc.cluster()));
        }
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
        if (tunnel.open()) {
            tunnel.upstreamClosed();
        } else if (active) {
            attempts.fail(Failure.UPSTREAM_CLOSED, Failure.closedReason(lease.node().address(), cause));
        }
    }

    /** The deadline passed: 408 while the request is still arriving, 504 while the response is awaited. */
    private void onRequestTimeout() {
        if (active) {
            attempts.fail(request.done() ? Failure.REQUEST_TIMEOUT : Failure.REQUEST_NOT_RECEIVED, deadline.reason(request.done()));
        }
    }

    /** Ends the exchange with a local reply if the response has not started, else by closing. */
    @Override
    public void abort(HttpResponseStatus status, String reason) {
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
        deadline.cancel();
        tunnel.ended();
        attempts.clear();
        lease.end(reuse && request.done() && response.done());
    }

    @Override
    public boolean responseStarted() {
        return response.started();
    }

    @Override
    public boolean requestDone() {
        return request.done();
    }
}
