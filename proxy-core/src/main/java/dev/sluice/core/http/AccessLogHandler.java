package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http1.MalformedRequest;
import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.tracing.Tracing;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.opentelemetry.api.trace.Span;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code access-log}: one JSON line per request, assembled as the response's last part is written
 * (whoever writes it): time, request id, trace id, client IP, method, host, path, status, bytes in
 * and out, total and upstream milliseconds, cluster, node, attempts, and the refusal reason when a
 * protection refused the request. The line goes to {@link AccessLog}'s queue. With {@code tracing}
 * on, the same two moments start and end the request's span ({@link Tracing}): it starts as the head
 * arrives, before any step can refuse, so every answered request has one. One per channel.
 */
public final class AccessLogHandler extends ChannelDuplexHandler {

    private final RequestContext rc;
    private final Supplier<@Nullable AccessLog> current;
    private final Supplier<@Nullable Tracing> tracing;
    private final Ticker ticker;
    /** Where the current request's line goes, read when its head arrives; null: not logged. */
    private @Nullable AccessLog log;
    /** Made with the first line, so a connection that logs nothing (logging off) does not carry it. */
    private @Nullable StringBuilder line;
    private String method = "";
    private String host = "";
    private String path = "";
    private int status;
    private long bytesIn;
    private long bytesOut;
    private long startNanos;
    private boolean switched;

    /**
     * @param current the access log in force (null when logging is off), read once per request
     * @param tracing the tracing in force (null when off), read once per request
     */
    public AccessLogHandler(RequestContext rc, Supplier<@Nullable AccessLog> current, Supplier<@Nullable Tracing> tracing,
            Ticker ticker) {
        this.rc = requireNonNull(rc, "rc");
        this.current = requireNonNull(current, "current");
        this.tracing = requireNonNull(tracing, "tracing");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest || msg instanceof MalformedRequest) {
            log = current.get();
            if (msg instanceof HttpRequest req) {
                Tracing t = tracing.get();
                if (t != null) {
                    endSpan(0); // a request whose answer never ended (HTTP/1.1 pipelining cut short)
                    rc.span(t.start(req, rc.http2()));
                }
            }
        }
        if (log == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            method = req.method().name();
            String h = req.headers().get(HttpHeaderNames.HOST);
            host = h == null ? "" : h;
            path = req.uri();
            bytesIn = 0;
            bytesOut = 0;
            status = 0;
            startNanos = ticker.nanoTime();
        } else if (msg instanceof MalformedRequest) {
            method = "";
            host = "";
            path = "";
            bytesIn = 0;
            bytesOut = 0;
            startNanos = ticker.nanoTime();
        }
        if (msg instanceof HttpContent c) {
            bytesIn += c.content().readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse && log == null) {
            log = current.get(); // a reply to no request (a header timeout, say)
        }
        Span span = rc.span();
        if (log == null && span == null) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            status = r.status().code();
        } else if (msg instanceof HttpResponse r && r.status().code() == 101) {
            switched = true; // a WebSocket: this handler leaves with the HTTP handlers, its span ends then
        }
        if (msg instanceof HttpContent c) {
            bytesOut += c.content().readableBytes();
        }
        boolean last = msg instanceof LastHttpContent && status != 0;
        ctx.write(msg, promise);
        if (last) {
            if (log != null) {
                log.log(format());
            }
            endSpan(status);
            status = 0;
        }
    }

    private void endSpan(int finalStatus) {
        Span span = rc.span();
        if (span != null) {
            rc.span(null);
            Tracing.end(span, finalStatus, rc.clientIp(), rc.requestId(), rc.route(), rc.cluster() == null ? null : rc.cluster().name(),
                    rc.node() == null ? null : rc.node().address().toString(), rc.attempts(), rc.refusal());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endSpan(0);
        ctx.fireChannelInactive();
    }

    /** Removed when a WebSocket takes the connection over (after its 101), or with the channel. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        endSpan(switched ? 101 : 0);
        switched = false;
    }

    private String format() {
        StringBuilder b = line;
        if (b == null) {
            b = line = new StringBuilder(256);
        }
        b.setLength(0);
        b.append("{\"ts\":").append(System.currentTimeMillis());
        field(b, "id", rc.requestId());
        field(b, "trace", Tracing.traceId(rc.span()));
        field(b, "client", rc.clientIp());
        field(b, "method", method);
        field(b, "host", host);
        field(b, "path", path);
        b.append(",\"status\":").append(status);
        b.append(",\"bytesIn\":").append(bytesIn).append(",\"bytesOut\":").append(bytesOut);
        b.append(",\"totalMs\":").append((ticker.nanoTime() - startNanos) / 1_000_000);
        b.append(",\"upstreamMs\":").append(rc.upstreamNanos() / 1_000_000);
        field(b, "cluster", rc.cluster() == null ? null : rc.cluster().name());
        field(b, "node", rc.node() == null ? null : rc.node().address().toString());
        b.append(",\"attempts\":").append(rc.attempts());
        field(b, "refused", rc.refusal());
        return b.append('}').toString();
    }

    /** A JSON string field; quotes, backslashes and control characters are escaped. */
    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        b.append('"');
    }
}
