package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.ForwardHeaders;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.BackendHandler;
import dev.sluice.core.upstream.Http2Pool;
import dev.sluice.core.upstream.RefusedStreamException;
import dev.sluice.core.upstream.UpstreamListener;
import dev.sluice.core.upstream.UpstreamNames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 {@link UpstreamLease} ({@code protocol: h2}): one stream on a multiplexed connection
 * of the node's pool on this event loop. The stream's channel carries the same HTTP messages as an
 * HTTP/1.1 connection, trailers included; its writability is the stream's flow-control window, and
 * pausing its reads holds back that stream's window updates, so a slow client slows its own stream
 * and not the connection's others. The stream ends with the lease (a reset when unfinished).
 *
 * <p>A request whose head is the whole request is kept (a retained duplicate) until its answer
 * starts: a stream the backend refused (above its GOAWAY's last stream, or REFUSED_STREAM) was
 * not processed, so the lease sends it again on a new stream, once, on another connection of the
 * same node; the exchange never hears of it. A request with a body is left to the retry policy.
 */
final class StreamLease extends NodeLease implements Http2Pool.StreamCallback, UpstreamListener {

    private final Events events;
    private final int loopIndex;
    private final EventLoop loop;
    private @Nullable Http2StreamChannel stream;
    /** A stream was asked for and is still to come. */
    private boolean waiting;
    /** The whole request, kept until its answer starts, to send again on a refused stream. */
    private @Nullable FullHttpRequest resend;
    private boolean resent;

    StreamLease(Events events, int loopIndex, EventLoop loop, Ticker ticker) {
        super(ticker);
        this.events = requireNonNull(events, "events");
        this.loopIndex = loopIndex;
        this.loop = requireNonNull(loop, "loop");
    }

    @Override
    public void acquire() {
        waiting = true;
        node.pools().h2Pool(loopIndex, loop).openStream(this);
    }

    @Override
    public void onStream(Http2StreamChannel s) {
        if (!waiting) {
            s.close(); // the request ended while its stream was opening
            return;
        }
        waiting = false;
        stream = s;
        ((BackendHandler) s.pipeline().get(UpstreamNames.BACKEND)).attach(this);
        if (resend != null && resent) {
            s.writeAndFlush(resend.retainedDuplicate(), s.voidPromise()); // the refused request, again
            return;
        }
        events.onConnected();
    }

    @Override
    public void onStreamFailed(Throwable cause) {
        if (waiting) {
            waiting = false;
            events.onConnectFailed(cause);
        }
    }

    @Override
    public void write(Object msg, boolean flush) {
        if (msg instanceof FullHttpRequest whole && resend == null && !resent) {
            resend = whole.retainedDuplicate();
        }
        super.write(msg, flush);
    }

    @Override
    @Nullable Channel channel() {
        return stream;
    }

    @Override
    public void tunnel() {
        throw new UnsupportedOperationException("no WebSocket tunnel over an HTTP/2 upstream stream");
    }

    @Override
    public void end(boolean reuse) {
        if (node == null) {
            return;
        }
        waiting = false;
        resent = false;
        dropResend();
        Http2StreamChannel s = stream;
        stream = null;
        if (s != null) {
            ((BackendHandler) s.pipeline().get(UpstreamNames.BACKEND)).detach();
            s.close(); // a finished stream is closed already; an unfinished one is reset (CANCEL)
        }
        endNode();
    }

    private void dropResend() {
        if (resend != null) {
            resend.release();
            resend = null;
        }
    }

    // What the stream tells: passed on to the exchange, but for a refused stream that can be sent again.

    @Override
    public void onUpstreamRead(HttpObject msg) {
        dropResend(); // the backend is answering: nothing to send again
        if (msg instanceof HttpResponse head) {
            ForwardHeaders.stripHttp2Extensions(head.headers()); // the stream codec's own, not the backend's
        }
        events.onUpstreamRead(msg);
    }

    @Override
    public void onUpstreamBytes(ByteBuf bytes) {
        events.onUpstreamBytes(bytes);
    }

    @Override
    public void onUpstreamReadComplete() {
        events.onUpstreamReadComplete();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        events.onUpstreamWritabilityChanged(writable);
    }

    @Override
    public void onUpstreamTimeout() {
        events.onUpstreamTimeout();
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
        if (cause instanceof RefusedStreamException && resend != null && !resent && node != null) {
            resent = true;
            Http2Pool pool = node.pools().h2Pool(loopIndex, loop);
            pool.goingAway(stream.parent()); // its GOAWAY may not have reached the pool yet
            stream = null;
            waiting = true;
            pool.openStream(this);
            return;
        }
        events.onUpstreamClosed(cause);
    }
}
