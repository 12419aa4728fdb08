package dev.sluice.core.http.proxy;

import dev.sluice.core.http1.FramingException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The request direction of an {@link Exchange}: the head, then each body part as the client sends
 * it, written upstream at once; the body counted against the listener's
 * {@code maxRequestBodyBytes} and kept for a replay while the {@link Retrier} wants it. A replay
 * sends the kept request whole. The exchange asks the client for the next part only while the
 * upstream is writable. One per exchange, reused per request; event-loop confined.
 */
final class RequestRelay {

    /** Sent upstream on retries: which attempt this is (as Envoy's x-envoy-attempt-count). */
    static final AsciiString ATTEMPT = AsciiString.cached("x-sluice-attempt");

    private final long maxBodyBytes;
    private long bodyBytes;
    private boolean done;
    private Failure refusal = Failure.MALFORMED_BODY;
    private String refusalReason = "";

    /** @param maxBodyBytes the listener's {@code maxRequestBodyBytes}, counted while streaming */
    RequestRelay(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A new request with {@code head}, which may be the whole request. */
    void begin(HttpRequest head) {
        done = head instanceof LastHttpContent;
        bodyBytes = 0;
    }

    /** Whether the request's last part has gone upstream (or was in its head). */
    boolean done() {
        return done;
    }

    /**
     * Writes {@code head} for the retrier's attempt in progress: alone, the body to follow part by
     * part, or, when the attempt replays, with the kept body, the request whole.
     */
    void send(HttpRequest head, Retrier retrier, UpstreamLease lease) {
        if (retrier.attempts() > 1) {
            head.headers().setInt(ATTEMPT, retrier.attempts());
        }
        if (!retrier.replaying()) {
            lease.write(head, true);
            return;
        }
        done = true; // the client's own end, if still unread, is dropped later
        List<HttpContent> parts = retrier.replay().bodyParts();
        lease.write(head, parts.isEmpty());
        for (int i = 0; i < parts.size(); i++) {
            lease.write(parts.get(i), i == parts.size() - 1);
        }
    }

    /**
     * A body part from the client: written upstream (and kept for a replay), or refused and
     * released, when the decoder could not frame it or the body outgrew its limit. Returns false
     * when refused; {@link #refusal} and {@link #refusalReason} then say why.
     */
    boolean part(HttpContent content, Retrier retrier, UpstreamLease lease) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(content);
            boolean tooLarge = cause instanceof FramingException f && f.status().code() == 413;
            return refuse(tooLarge ? Failure.BODY_TOO_LARGE : Failure.MALFORMED_BODY,
                    tooLarge ? tooLarge() : "malformed request body: " + cause.getMessage());
        }
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > maxBodyBytes) {
            ReferenceCountUtil.release(content);
            return refuse(Failure.BODY_TOO_LARGE, tooLarge());
        }
        done |= content instanceof LastHttpContent;
        retrier.keep(content);
        lease.write(content, true);
        return true;
    }

    private boolean refuse(Failure f, String reason) {
        refusal = f;
        refusalReason = reason;
        return false;
    }

    private String tooLarge() {
        return "request body exceeds " + maxBodyBytes + " bytes (maxRequestBodyBytes)";
    }

    /** Why the last refused part was refused. */
    Failure refusal() {
        return refusal;
    }

    String refusalReason() {
        return refusalReason;
    }
}
