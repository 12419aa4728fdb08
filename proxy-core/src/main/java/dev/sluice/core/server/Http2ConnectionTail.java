package dev.sluice.core.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http2.ConnectionErrors;
import dev.sluice.core.http2.FrameGuard;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code h2-connection}: added with the HTTP/2 handlers when a connection turns into HTTP/2 (prior
 * knowledge or an accepted {@code Upgrade: h2c}). On being added it removes the HTTP/1.1 handlers,
 * puts {@code h2-frame-guard} in front of the frame codec and lets the connection read freely: the
 * stream multiplexer applies flow control per stream from then on.
 *
 * <p>Idle means no stream: a connection with no open stream for {@code idleTimeout} is closed with
 * GOAWAY, whatever else the client sends (PINGs and SETTINGS keep no connection alive). The
 * deadline is one task per idle period, not per request.
 *
 * <p>Connection errors (the codec has already answered them with GOAWAY) end here: each is counted
 * and the first logged as one line ({@link ConnectionErrors}); a reset by the client is routine and
 * not logged; anything else is Sluice's own failure and is logged with its stack trace, once.
 * One instance per connection; event-loop confined.
 */
final class Http2ConnectionTail extends ChannelInboundHandlerAdapter implements Runnable {

    private static final System.Logger LOG = System.getLogger(Http2ConnectionTail.class.getName());

    private final ConnectionErrors errors;
    private final Ticker ticker;
    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private ChannelHandlerContext ctx;
    private Http2Connection connection;
    /** When the connection last had no open stream; meaningless while {@link #busy}. */
    private long idleSince;
    private boolean busy;
    private boolean idleCheckScheduled;
    private boolean failureLogged;

    Http2ConnectionTail(ConnectionErrors errors, Ticker ticker, long idleTimeoutNanos, long headerTimeoutNanos) {
        this.errors = requireNonNull(errors, "errors");
        this.ticker = requireNonNull(ticker, "ticker");
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ChannelPipeline p = ctx.pipeline();
        for (String name : PipelineNames.HTTP1_ONLY) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        Http2FrameCodec codec = p.get(Http2FrameCodec.class);
        connection = codec.connection();
        p.addBefore(p.context(codec).name(), PipelineNames.H2_FRAME_GUARD,
                new FrameGuard(headerTimeoutNanos, Math.max(0, connection.remote().lastStreamCreated())));
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                busy = true;
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection.numActiveStreams() == 0) {
                    idle();
                }
            }
        });
        busy = connection.numActiveStreams() > 0;
        if (!busy) {
            idle();
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void idle() {
        busy = false;
        idleSince = ticker.nanoTime();
        if (!idleCheckScheduled) {
            idleCheckScheduled = true;
            ctx.executor().schedule(this, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The idle deadline of the last idle period passed, or a later one is due. */
    @Override
    public void run() {
        idleCheckScheduled = false;
        if (busy || !ctx.channel().isActive()) {
            return;
        }
        long left = idleTimeoutNanos - (ticker.nanoTime() - idleSince);
        if (left > 0) {
            idleCheckScheduled = true;
            ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
        } else {
            ctx.close(); // Http2ConnectionHandler sends GOAWAY before it closes
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception h2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (h2 != null) {
            errors.report(h2.error(), 0, h2.getMessage());
        } else if (cause instanceof IOException) {
            LOG.log(System.Logger.Level.DEBUG, "h2 connection failed: {0}", cause.toString());
            ctx.close();
        } else {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "h2 connection failed, closing", cause);
            }
            ctx.close();
        }
    }
}
