package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.ForwardHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket connection after the backend's {@code 101}: bytes both ways between the client's
 * channel and the leased upstream connection, as they come, with backpressure (a side that cannot
 * take more stops the other side's reading). The HTTP handlers of both channels are taken out, so
 * nothing of HTTP (timeouts, codecs, limits) touches the frames; the lease stays held, so the
 * connection counts in flight on its node until it closes. On drain, a close frame with code 1001
 * (going away) goes to each side at its next frame boundary, and the connection closes when the
 * client answers or {@link #CLOSE_WAIT_MILLIS} later. One per exchange; event-loop confined.
 */
final class Tunnel {

    /** How long after its close frame Sluice waits for the client's before it closes the connection. */
    static final long CLOSE_WAIT_MILLIS = 1000;
    /** Close, code 1001: unmasked, as a server sends it. */
    private static final byte[] GOING_AWAY = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};

    private final ChannelHandlerContext ctx;
    private final Consumer<ChannelPipeline> stripHttp;
    private final Runnable onEnd;
    // Made by the first tunnel of the connection: most connections never open one.
    private FrameBoundaries toClient;
    private FrameBoundaries toUpstream;
    private @Nullable UpstreamLease lease;
    private boolean draining;
    private boolean closedToClient;
    private boolean closedToUpstream;
    private @Nullable ScheduledFuture<?> closeTimer;

    /**
     * @param stripHttp takes the HTTP handlers out of the client's pipeline
     * @param onEnd ends the exchange (the lease let go, the upstream connection closed)
     */
    Tunnel(ChannelHandlerContext ctx, Consumer<ChannelPipeline> stripHttp, Runnable onEnd) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.stripHttp = requireNonNull(stripHttp, "stripHttp");
        this.onEnd = requireNonNull(onEnd, "onEnd");
    }

    boolean open() {
        return lease != null;
    }

    /** Passes the 101 on to the client (recorded as the node's answer) and turns both connections into the tunnel. */
    void start(FullHttpResponse switching, UpstreamLease held, ResponseRelay response) {
        held.recordResponse(101);
        response.start(switching, held.node());
        ForwardHeaders.upgradeToWebSocket(switching.headers());
        ctx.writeAndFlush(switching, ctx.voidPromise());
        lease = held;
        draining = closedToClient = closedToUpstream = false;
        if (toClient == null) {
            toClient = new FrameBoundaries();
            toUpstream = new FrameBoundaries();
        } else {
            toClient.reset();
            toUpstream.reset();
        }
        stripHttp.accept(ctx.pipeline());
        held.tunnel();
        ctx.channel().config().setAutoRead(true);
    }

    /** Bytes from the client, for the backend (released when there is no tunnel). */
    void fromClient(ByteBuf bytes) {
        if (lease == null) {
            ReferenceCountUtil.release(bytes);
            return;
        }
        if (closedToUpstream) {
            ReferenceCountUtil.release(bytes);
            if (closedToClient) {
                close(); // the client's answer to Sluice's close frame
            }
            return;
        }
        toUpstream.feed(bytes);
        lease.write(bytes, true);
        if (!lease.writable()) {
            ctx.channel().config().setAutoRead(false);
        }
        if (draining) {
            closeUpstreamAtBoundary();
        }
    }

    /** Bytes from the backend, for the client (released when there is no tunnel). */
    void fromUpstream(ByteBuf bytes) {
        if (lease == null || closedToClient) {
            ReferenceCountUtil.release(bytes);
            return;
        }
        toClient.feed(bytes);
        ctx.writeAndFlush(bytes, ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
            lease.readResponse(false);
        }
        if (draining) {
            closeClientAtBoundary();
        }
    }

    /** The upstream can take more (or not): the client is read only while it can. */
    void upstreamWritable(boolean writable) {
        ctx.channel().config().setAutoRead(writable);
    }

    /** The client can take more (or not): the upstream is read only while it can. */
    void clientWritable(boolean writable) {
        lease.readResponse(writable);
    }

    /** The server drains: each side gets a close frame (1001) at its next frame boundary. Nothing without a tunnel. */
    void drain() {
        if (lease == null || draining) {
            return;
        }
        draining = true;
        closeClientAtBoundary();
        closeUpstreamAtBoundary();
        closeTimer = ctx.executor().schedule(this::close, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void closeClientAtBoundary() {
        if (!closedToClient && toClient.atBoundary()) {
            closedToClient = true;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(GOING_AWAY), ctx.voidPromise());
        }
    }

    private void closeUpstreamAtBoundary() {
        if (!closedToUpstream && toUpstream.atBoundary()) {
            closedToUpstream = true;
            lease.write(maskedGoingAway(), true);
        }
    }

    /** Close, code 1001, masked, as a client must send it (RFC 6455 section 5.3). */
    private static ByteBuf maskedGoingAway() {
        int mask = ThreadLocalRandom.current().nextInt();
        byte m0 = (byte) (mask >>> 24);
        byte m1 = (byte) (mask >>> 16);
        return Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, (byte) 0x82, m0, m1, (byte) (mask >>> 8), (byte) mask,
                (byte) (0x03 ^ m0), (byte) (0xE9 ^ m1)});
    }

    /** The backend closed its side: what reached the client stays, then the client's connection closes. */
    void upstreamClosed() {
        close();
    }

    /** Ends the tunnel: both connections close. */
    void close() {
        if (lease == null) {
            return;
        }
        ended();
        onEnd.run();
        ctx.close();
    }

    /** The exchange ended by other means (the client left): the tunnel is gone. */
    void ended() {
        lease = null;
        if (closeTimer != null) {
            closeTimer.cancel(false);
            closeTimer = null;
        }
    }
}
