package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.balance.PickRule;
import dev.sluice.core.http.ForwardHeaders;
import dev.sluice.core.http.Grpc;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.upstream.Node;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;

/**
 * The response direction of an {@link Exchange}: parts from the upstream written to the client as
 * they arrive. Interim (1xx) responses are dropped, since Sluice sends its own {@code 100
 * Continue}; the final head gets the forwarding headers; while the client's channel is not
 * writable the upstream is not read. The exchange judges the final head (record, retry) before it
 * is passed on. One per exchange, reused per request; event-loop confined.
 */
final class ResponseRelay {

    /** With {@code debugHeaders}: which node, by which rule, at what effective weight. */
    static final AsciiString X_SLUICE_PICK = AsciiString.cached("x-sluice-pick");


    /** What a part from the upstream is, for the exchange to act on. */
    enum Part {
        /** An interim response or a part of one: released here. */
        DROPPED,
        /** Not HTTP: released here; nothing of it may reach the client. */
        MALFORMED,
        /** The final response's head (maybe with its whole body). */
        HEAD,
        /** A part of the final response's body. */
        BODY,
        /** {@code 101} to a WebSocket handshake: the connection becomes a tunnel. */
        UPGRADE
    }

    private final ChannelHandlerContext ctx;
    private final RequestContext rc;
    private boolean started;
    private boolean done;
    private boolean keepAlive;
    private boolean inInterim;

    ResponseRelay(ChannelHandlerContext ctx, RequestContext rc) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.rc = requireNonNull(rc, "rc");
    }

    /** A new request: no response yet. */
    void begin() {
        started = done = inInterim = false;
    }

    /** Whether a byte of the response may have reached the client (no retry, no local reply after this). */
    boolean started() {
        return started;
    }

    /** Whether the response's last part was written. */
    boolean done() {
        return done;
    }

    /** Whether the upstream keeps its connection after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** What {@code msg} is; a dropped or malformed part is released. */
    Part sort(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            return Part.MALFORMED;
        }
        if (msg instanceof HttpResponse resp) {
            if (resp.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                return Part.HEAD;
            }
            if (resp.status().code() == 101 && rc.websocket() && msg instanceof FullHttpResponse) {
                return Part.UPGRADE; // the decoder lets a 101 through only to a request that asked to upgrade
            }
            inInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return Part.DROPPED;
        }
        if (inInterim) {
            inInterim = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return Part.DROPPED;
        }
        return Part.BODY;
    }

    /**
     * The status a final head is recorded with for its node, or -1 when the verdict waits for the
     * trailers: a gRPC call to a cluster with {@code grpcStatusAsError} is judged by its
     * {@code grpc-status} (in the head of a trailers-only answer, else in the trailers).
     */
    int outcome(HttpResponse head) {
        boolean judgeGrpc = rc.grpc() && rc.cluster().config().grpcStatusAsError() && head.status().code() == 200;
        if (!judgeGrpc) {
            return head.status().code();
        }
        if (head instanceof LastHttpContent) {
            return Grpc.serverFailure(head.headers()) ? 500 : 200;
        }
        return -1;
    }

    /** The status a gRPC call whose verdict waited is recorded with, from its trailers. */
    static int outcome(LastHttpContent last) {
        return Grpc.serverFailure(last.trailingHeaders()) ? 500 : 200;
    }

    /**
     * The final head from {@code node} goes on: the forwarding headers are set (and, with
     * {@code debugHeaders}, {@code X-Sluice-Pick}), and the response has started.
     */
    void start(HttpResponse resp, Node node) {
        started = true;
        keepAlive = HttpUtil.isKeepAlive(resp);
        ForwardHeaders.response(resp, rc);
        if (rc.cluster() != null && rc.cluster().config().debugHeaders()) {
            PickRule rule = rc.pickRule();
            resp.headers().set(X_SLUICE_PICK, "node=" + node.address() + ";rule=" + (rule == null ? "weight" : rule.label())
                    + ";weight=" + String.format(Locale.ROOT, "%.2f", node.effectiveWeight()));
        }
    }

    /** Writes a part that is not the last; the upstream's reading pauses while the client cannot take more. */
    void write(HttpObject msg, UpstreamLease lease) {
        ctx.write(msg, ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
            lease.readResponse(false);
        }
    }

    /** Marks the response done; {@link #end} writes its last part. */
    void last() {
        done = true;
    }

    /** Writes and flushes the last part, closing the client's connection after it when {@code close}. */
    void end(LastHttpContent last, boolean close) {
        if (close) {
            ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(last, ctx.voidPromise());
        }
    }
}
