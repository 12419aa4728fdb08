package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.time.Ticker;
import dev.sluice.core.upstream.Node;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * What every {@link UpstreamLease} does with its node, whatever the connection: the one
 * {@code beginRequest}/{@code endRequest} pair, and the node's outcomes with their latency,
 * counted from the request sent in full; and with the channel it holds (a connection, or an
 * HTTP/2 stream's child channel): writes, writability, pausing the response. Event-loop confined.
 */
abstract class NodeLease implements UpstreamLease {

    private final Ticker ticker;
    /** The node held, or null between attempts. */
    @Nullable Node node;
    private long latencyFrom;

    NodeLease(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public void begin(Node n) {
        node = n;
        latencyFrom = ticker.nanoTime();
        n.beginRequest();
    }

    /** The node changes within the attempt (a spill-over at the connection limit): one in flight moves. */
    void moveTo(Node next) {
        node.endRequest();
        node = next;
        latencyFrom = ticker.nanoTime();
        next.beginRequest();
    }

    /** The channel held: a pooled connection, or a stream; null while none is. */
    abstract @Nullable Channel channel();

    @Override
    public void write(Object msg, boolean flush) {
        Channel ch = channel();
        if (flush) {
            ch.writeAndFlush(msg, ch.voidPromise());
        } else {
            ch.write(msg, ch.voidPromise());
        }
    }

    @Override
    public boolean writable() {
        Channel ch = channel();
        return ch != null && ch.isWritable();
    }

    @Override
    public void readResponse(boolean on) {
        Channel ch = channel();
        if (ch != null) {
            ch.config().setAutoRead(on);
        }
    }

    @Override
    public @Nullable Node node() {
        return node;
    }

    @Override
    public void requestSent() {
        latencyFrom = ticker.nanoTime();
    }

    @Override
    public void recordResponse(int status) {
        long now = ticker.nanoTime();
        node.recordResponse(now, now - latencyFrom, status >= 500);
    }

    @Override
    public void recordFailure() {
        long now = ticker.nanoTime();
        node.recordFailure(now, now - latencyFrom);
    }

    /** Lets go of the node: its {@code endRequest}; returns it, or null when none was held. */
    @Nullable Node endNode() {
        Node n = node;
        node = null;
        if (n != null) {
            n.endRequest();
        }
        return n;
    }
}
