package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.RetryConfig;
import dev.sluice.core.http1.FramingException;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.BackendHandler;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.PoolExhaustedException;
import dev.sluice.core.upstream.UpstreamCallback;
import dev.sluice.core.upstream.UpstreamListener;
import dev.sluice.core.upstream.UpstreamNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * {@code proxy}: the last downstream handler. Picks a node, borrows an upstream connection from
 * that node's pool on this event loop, streams the request up and the response down.
 *
 * <p>Implementation notes. The downstream channel runs with auto-read off behind a
 * {@code FlowControlHandler}, so each {@code ctx.read()} delivers exactly one message; this handler
 * asks for the next request part only when the upstream can take it (writable), and for the next
 * request only when the exchange is over, which also serialises pipelined HTTP/1.1 requests. The
 * response direction is throttled by switching the upstream's auto-read off while the client is
 * not writable. Bodies are never aggregated; every part is written on as it arrives.
 *
 * <p>One exchange at a time per channel (an HTTP/1.1 connection or one HTTP/2 stream); all state is
 * in fields, reset per exchange, and every method runs on the channel's event loop. Each exchange
 * calls {@link Node#beginRequest} once and {@link Node#endRequest} once, in {@link #finish}.
 *
 * <p>Buffers: the request head is held in {@link #pendingHead} only while the connection is being
 * acquired; whoever clears the field writes or releases it. Every other part is written on at
 * once (ownership passes with the write) or released when no exchange wants it.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamCallback, UpstreamListener {

    private static final System.Logger LOG = System.getLogger(ProxyHandler.class.getName());
    /** Sent upstream on retries: which attempt this is (as Envoy's x-envoy-attempt-count). */
    static final AsciiString ATTEMPT = AsciiString.cached("x-sluice-attempt");

    private final RequestContext rc;
    private final Ticker ticker;
    private final long maxBodyBytes;
    private final long requestTimeoutNanos;
    private final Runnable requestTimeoutTask = this::onRequestTimeout;
    private final Runnable retryTask = this::retryNow;
    private final Replay replay = new Replay();
    private final Retrier retrier = new Retrier(bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    private boolean replaying;
    /** The retry re-sends a head that never left (a connect failure), not a replay. */
    private boolean resendUnsent;
    /** The most request body kept for a replay ({@code retries.maxReplayBodyBytes}), read once per request. */
    private long replayLimit;
    private @Nullable HttpResponseStatus failStatus;
    private @Nullable String failReason;
    private ChannelHandlerContext ctx;
    private @Nullable ScheduledFuture<?> requestTimer;
    private long bodyBytes;
    private long exchangeStart;

    private boolean active;
    private @Nullable HttpRequest pendingHead;
    private @Nullable Node node;
    private @Nullable Channel upstream;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean upstreamKeepAlive;
    private boolean skipInterim;
    /** The request waits in the pending queue of its node (every node was at its connection limit). */
    private boolean waitingAtLimit;
    /** Nodes tried for this request because the picked one was at its connection limit. */
    private int spills;
    /**
     * Where the latency the node is judged by starts: the pick, then the moment the request was
     * written upstream in full, so a client's slow upload never counts against the node.
     */
    private long latencyFrom;

    /**
     * @param maxBodyBytes the listener's {@code maxRequestBodyBytes}, counted while streaming
     * @param requestTimeoutNanos the listener's {@code requestTimeout}: the whole exchange, from head to last response byte
     */
    public ProxyHandler(RequestContext rc, Ticker ticker, long maxBodyBytes, long requestTimeoutNanos) {
        this.rc = requireNonNull(rc, "rc");
        this.ticker = requireNonNull(ticker, "ticker");
        this.maxBodyBytes = maxBodyBytes;
        this.requestTimeoutNanos = requestTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            start(head);
        } else if (msg instanceof HttpContent content) {
            if (!active) {
                // The rest of a request that was already answered locally.
                ReferenceCountUtil.release(content);
                ctx.read();
            } else if (content.decoderResult().isFailure()) {
                Throwable cause = content.decoderResult().cause();
                ReferenceCountUtil.release(content);
                refuseBody(cause);
            } else {
                relayRequestPart(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The decoder could not frame the rest of the body: answer (or close) and never reuse either connection. */
    private void refuseBody(Throwable cause) {
        HttpResponseStatus status = cause instanceof FramingException f ? f.status() : HttpResponseStatus.BAD_REQUEST;
        rc.refusal("hygiene");
        rc.forceClose();
        abort(status, status.code() == 413 ? "request body exceeds " + maxBodyBytes + " bytes (maxRequestBodyBytes)"
                : "malformed request body: " + cause.getMessage());
    }

    private void start(HttpRequest head) {
        requestDone = head instanceof LastHttpContent;
        Cluster cluster = requireNonNull(rc.cluster(), "cluster");
        Node n = cluster.pick(rc);
        if (n == null) {
            ReferenceCountUtil.release(head);
            FullHttpResponse resp = LocalReply.build(ctx, rc, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "no healthy node in cluster " + cluster.name());
            resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            LocalReply.write(ctx, rc, resp, requestDone);
            return;
        }
        active = true;
        responseStarted = false;
        responseDone = false;
        skipInterim = false;
        spills = 0;
        bodyBytes = 0;
        exchangeStart = ticker.nanoTime();
        replaying = false;
        resendUnsent = false;
        waitingAtLimit = false;
        retrier.begin(n);
        RetryConfig retry = cluster.config().retries();
        replay.begin(head, retry != null && retry.attempts() > 0);
        replayLimit = retry == null ? 0 : retry.maxReplayBodyBytes().bytes();
        if (cluster.retryBudget() != null) {
            cluster.retryBudget().recordRequest(ticker.nanoTime());
        }
        node = n;
        n.beginRequest();
        requestTimer = ctx.executor().schedule(requestTimeoutTask, requestTimeoutNanos, TimeUnit.NANOSECONDS);
        latencyFrom = ticker.nanoTime();
        pendingHead = head;
        n.pool(rc.loopIndex(), ctx.channel().eventLoop()).acquire(this);
    }

    @Override
    public void onAcquired(Channel ch) {
        if (!active) {
            ch.close(); // not expected: a request that ends stops waiting (UpstreamPool.cancel)
            return;
        }
        waitingAtLimit = false;
        upstream = ch;
        ((BackendHandler) ch.pipeline().get(UpstreamNames.BACKEND)).attach(this);
        HttpRequest head = pendingHead;
        pendingHead = null;
        if (retrier.attempts() > 1) {
            head.headers().setInt(ATTEMPT, retrier.attempts());
        }
        if (replaying) {
            ch.write(head, ch.voidPromise());
            requestDone = true; // the whole request is sent again; the client's own end, if unread, is dropped later
            for (HttpContent part : replay.bodyParts()) {
                ch.write(part, ch.voidPromise());
            }
            ch.flush();
            latencyFrom = ticker.nanoTime();
            return;
        }
        ch.writeAndFlush(head, ch.voidPromise());
        if (requestDone) {
            latencyFrom = ticker.nanoTime();
            return;
        }
        if (rc.expectContinue()) {
            // Admitted, routed, a node picked and connected: now the client may send its body.
            rc.expectContinue(false);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                    ctx.voidPromise());
        }
        if (ch.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (!active) {
            return;
        }
        Node n = node;
        if (cause instanceof PoolExhaustedException) {
            if (waitingAtLimit) {
                abort(HttpResponseStatus.SERVICE_UNAVAILABLE, "every node of cluster " + rc.cluster().name()
                        + " is at its connection limit (pool.maxConnectionsPerNode): " + cause.getMessage());
            } else {
                spillOver(n);
            }
            return;
        }
        recordFailure(n);
        if (cause instanceof ConnectTimeoutException) {
            rc.cluster().countTimeout(Cluster.Timeout.CONNECT);
        }
        String reason = cause instanceof ConnectTimeoutException ? "connect to " + n.address() + " timed out"
                : cause instanceof ConnectException ? "connect to " + n.address() + " failed: connection refused"
                : "connect to " + n.address() + " failed: " + cause.getMessage();
        if (!retry("connect-failure", HttpResponseStatus.BAD_GATEWAY, reason)) {
            abort(HttpResponseStatus.BAD_GATEWAY, reason);
        }
    }

    /**
     * The picked node is at {@code pool.maxConnectionsPerNode}: rather than fail while other nodes
     * have room, take the balancer's next picks, skipping nodes that are visibly full, up to twice
     * the cluster's size in all. A rare path, so it may loop where {@code pick} may not.
     */
    private void spillOver(Node full) {
        Cluster cluster = rc.cluster();
        int bound = 2 * cluster.nodes().size();
        Node next = null;
        while (next == null && ++spills < bound) {
            Node candidate = cluster.pick(rc);
            if (candidate == null) {
                break;
            }
            if (candidate.hasCapacity(rc.loopIndex())) {
                next = candidate;
            }
        }
        if (next == null) {
            // Every node is busy: wait for a connection of the picked one (pool.maxPending, pool.pendingTimeout).
            waitingAtLimit = true;
            full.pool(rc.loopIndex(), ctx.channel().eventLoop()).await(this);
            return;
        }
        full.endRequest();
        next.beginRequest();
        node = next;
        latencyFrom = ticker.nanoTime();
        next.pool(rc.loopIndex(), ctx.channel().eventLoop()).acquire(this);
    }

    private void relayRequestPart(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > maxBodyBytes) {
            ReferenceCountUtil.release(content);
            rc.refusal("hygiene");
            rc.forceClose();
            abort(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body exceeds " + maxBodyBytes + " bytes (maxRequestBodyBytes)");
            return;
        }
        Channel up = upstream;
        boolean last = content instanceof LastHttpContent;
        requestDone |= last;
        replay.keep(content, replayLimit);
        up.writeAndFlush(content, up.voidPromise());
        if (last) {
            latencyFrom = ticker.nanoTime();
            if (responseDone) {
                complete();
            }
        } else if (up.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void onUpstreamRead(HttpObject msg) {
        if (!active) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            // Not HTTP: nothing of it may reach the client, and the connection cannot be reused.
            ReferenceCountUtil.release(msg);
            recordFailure(node);
            String reason = "upstream " + node.address() + " sent a malformed response";
            if (responseStarted) {
                finish(false);
                ctx.close();
            } else {
                abort(HttpResponseStatus.BAD_GATEWAY, reason);
            }
            return;
        }
        if (msg instanceof HttpResponse resp) {
            if (resp.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue is answered by Sluice itself (expect-continue); drop the upstream's.
                ReferenceCountUtil.release(msg);
                skipInterim = !(msg instanceof LastHttpContent);
                return;
            }
            int code = resp.status().code();
            long now = ticker.nanoTime();
            node.recordResponse(now, now - latencyFrom, code >= 500);
            if ((code == 502 || code == 503 || code == 504)
                    && retry(Integer.toString(code), HttpResponseStatus.BAD_GATEWAY, "upstream " + node.address() + " answered " + code)) {
                ReferenceCountUtil.release(msg); // the rest of this answer is dropped with its connection
                return;
            }
            responseStarted = true;
            upstreamKeepAlive = HttpUtil.isKeepAlive(resp);
            ForwardHeaders.response(resp, rc);
        } else if (skipInterim) {
            skipInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof LastHttpContent)) {
            ctx.write(msg, ctx.voidPromise());
            if (!ctx.channel().isWritable()) {
                upstream.config().setAutoRead(false);
            }
            return;
        }
        responseDone = true;
        rc.upstream(node, retrier.attempts(), ticker.nanoTime() - exchangeStart); // before the last write: the access log reads it
        if (requestDone) {
            ctx.writeAndFlush(msg, ctx.voidPromise());
            complete();
        } else {
            // The upstream answered before the request body was sent: the body is not wanted.
            finish(false);
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && active && !requestDone && upstream != null) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel up = upstream;
        if (active && up != null) {
            up.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void onUpstreamTimeout() {
        if (active && !responseStarted) {
            recordFailure(node);
            rc.cluster().countTimeout(Cluster.Timeout.RESPONSE);
            abort(HttpResponseStatus.GATEWAY_TIMEOUT,
                    "upstream " + node.address() + " sent no response within " + rc.cluster().config().timeouts().response().toMillis() + "ms");
        }
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
        if (!active) {
            return;
        }
        upstream = null;
        if (!responseStarted) {
            recordFailure(node);
            String why = cause == null ? "closed the connection" : "reset the connection";
            String reason = "upstream " + node.address() + " " + why + " before responding";
            if (!retry("reset", HttpResponseStatus.BAD_GATEWAY, reason)) {
                abort(HttpResponseStatus.BAD_GATEWAY, reason);
            }
        } else {
            // A truncated response: closing is the only honest way to tell the client.
            finish(false);
            ctx.close();
        }
    }

    /** {@code requestTimeout} passed: 408 while the request is still arriving, 504 while the response is awaited. */
    private void onRequestTimeout() {
        requestTimer = null;
        if (!active) {
            return;
        }
        long ms = requestTimeoutNanos / 1_000_000;
        rc.cluster().countTimeout(Cluster.Timeout.REQUEST);
        if (!requestDone) {
            rc.forceClose();
            abort(HttpResponseStatus.REQUEST_TIMEOUT, "request not received within " + ms + "ms (requestTimeout)");
        } else {
            recordFailure(node);
            abort(HttpResponseStatus.GATEWAY_TIMEOUT, "request not completed within " + ms + "ms (requestTimeout)");
        }
    }

    /**
     * Tries the request again on another node if {@link Retrier} allows it. The failed attempt
     * ends here (its node released, its connection closed); the next starts after the policy's
     * backoff. Returns false when the caller must fail the request.
     */
    private boolean retry(String trigger, HttpResponseStatus status, String reason) {
        Cluster cluster = rc.cluster();
        boolean unsent = pendingHead != null && !replaying; // failed before the first byte went upstream
        if (!retrier.mayRetry(cluster, unsent, trigger, responseStarted, replay.retryable(), requestDone && replay.replayable(),
                ticker.nanoTime())) {
            return false;
        }
        HttpRequest keep = unsent ? pendingHead : null;
        pendingHead = null;
        endAttempt();
        resendUnsent = unsent;
        pendingHead = keep;
        failStatus = status;
        failReason = reason;
        long delay = retrier.nextAttempt(cluster);
        cluster.countRetry();
        LOG.log(System.Logger.Level.DEBUG, "retry request={0} attempt={1} after={2} delayMs={3}",
                rc.requestId(), retrier.attempts(), trigger, delay / 1_000_000);
        ctx.executor().schedule(retryTask, delay, TimeUnit.NANOSECONDS);
        return true;
    }

    /** Ends the current attempt but not the exchange: the node is released, the connection closed. */
    private void endAttempt() {
        Node n = node;
        node = null;
        Channel up = upstream;
        upstream = null;
        if (up != null) {
            ((BackendHandler) up.pipeline().get(UpstreamNames.BACKEND)).detach();
            n.pool(rc.loopIndex(), ctx.channel().eventLoop()).release(up, false);
        }
        HttpRequest head = pendingHead;
        pendingHead = null;
        if (head != null) {
            ReferenceCountUtil.release(head); // a full head is owned here; Replay keeps its own duplicate
            n.pool(rc.loopIndex(), ctx.channel().eventLoop()).cancel(this); // it may still wait for a connection
        }
        if (n != null) {
            n.endRequest();
        }
    }

    /** The backoff is over: send the kept request to a node this request has not tried. */
    private void retryNow() {
        if (!active) {
            return;
        }
        Cluster cluster = rc.cluster();
        Node next = null;
        for (int i = 0; next == null && i < 2 * cluster.nodes().size() + 2; i++) {
            Node candidate = cluster.pick(rc);
            if (candidate == null) {
                break;
            }
            if (!retrier.tried(candidate)) {
                next = candidate;
            }
        }
        if (next == null) {
            abort(failStatus, failReason + " (no other node to retry on)");
            return;
        }
        retrier.sendTo(next);
        node = next;
        next.beginRequest();
        latencyFrom = ticker.nanoTime();
        if (!resendUnsent) {
            replaying = true;
            pendingHead = replay.head();
        }
        next.pool(rc.loopIndex(), ctx.channel().eventLoop()).acquire(this);
    }

    private void recordFailure(Node n) {
        long now = ticker.nanoTime();
        n.recordFailure(now, now - latencyFrom);
    }

    /** Whether no exchange is in progress on this channel (an idle keep-alive connection). */
    public boolean idle() {
        return !active;
    }

    /** Ends the exchange with a local reply if the response has not started, else by closing. */
    private void abort(HttpResponseStatus status, String reason) {
        boolean complete = requestDone;
        boolean started = responseStarted;
        finish(false);
        if (started) {
            ctx.close();
        } else {
            LocalReply.send(ctx, rc, status, reason, complete);
        }
    }

    /** Both directions ended: return the connection and ask for the next request, if the client wants one. */
    private void complete() {
        finish(upstreamKeepAlive);
        if (!rc.http2() && rc.keepAlive() && !rc.draining()) {
            rc.awaitHead();
            ctx.read();
        } // else the keep-alive handler closes the connection after the response; nothing after it is read
    }

    /** Ends the exchange: exactly one {@link Node#endRequest}; the upstream goes back to its pool or is closed. */
    private void finish(boolean reuse) {
        active = false;
        if (node != null) {
            rc.upstream(node, retrier.attempts(), ticker.nanoTime() - exchangeStart);
        }
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
        Node n = node;
        node = null;
        HttpRequest head = pendingHead;
        pendingHead = null;
        if (head != null) {
            ReferenceCountUtil.release(head);
            if (n != null) {
                n.pool(rc.loopIndex(), ctx.channel().eventLoop()).cancel(this); // it may still wait for a connection
            }
        }
        replay.clear();
        Channel up = upstream;
        upstream = null;
        if (up != null) {
            ((BackendHandler) up.pipeline().get(UpstreamNames.BACKEND)).detach();
            n.pool(rc.loopIndex(), ctx.channel().eventLoop()).release(up, reuse && requestDone && responseDone);
        }
        if (n != null) {
            n.endRequest();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (active) {
            finish(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (active) {
            finish(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !active) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "downstream failed, closing", cause);
        ctx.close();
    }
}
