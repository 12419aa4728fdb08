package dev.sluice.core.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What it takes to send a request again: the head and, up to a size, the body, kept as retained
 * duplicates of the parts sent upstream (the originals' reader indexes move as they are written).
 * A request that is not idempotent (and carries no {@code Idempotency-Key}), or whose body outgrows
 * the limit, is not replayable and keeps nothing. One per channel, reused per request;
 * event-loop confined.
 *
 * <p>Buffers: every duplicate in {@link #body} (and a full head's content) is owned here and
 * released by {@link #clear}.
 */
final class Replay {

    static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");

    private @Nullable HttpRequest head;
    private final List<ByteBuf> body = new ArrayList<>();
    private long bytes;
    private boolean retryable;
    private boolean replayable;

    /** Starts keeping {@code head} if the request may be retried at all. */
    void begin(HttpRequest h, boolean retriesConfigured) {
        clear();
        retryable = retriesConfigured && (idempotent(h.method()) || h.headers().contains(IDEMPOTENCY_KEY));
        replayable = retryable;
        if (replayable) {
            head = h instanceof FullHttpRequest full ? full.retainedDuplicate() : h;
        }
    }

    /** Keeps a duplicate of a body part about to be written upstream, while under {@code max}. */
    void keep(HttpContent part, long max) {
        if (!replayable) {
            return;
        }
        ByteBuf c = part.content();
        bytes += c.readableBytes();
        if (bytes > max) {
            boolean keepRetryable = retryable;
            clear();
            retryable = keepRetryable; // still retryable while nothing was sent; no longer replayable
            return;
        }
        if (c.isReadable()) {
            body.add(c.retainedDuplicate());
        }
    }

    /** The method (or an Idempotency-Key) allows a retry at all. */
    boolean retryable() {
        return retryable;
    }

    /** Retryable, and the whole request sent so far is kept. */
    boolean replayable() {
        return replayable;
    }

    /** The head to send again; a full head comes back as a fresh duplicate each time. */
    HttpRequest head() {
        return head instanceof FullHttpRequest full ? full.retainedDuplicate() : head;
    }

    /** The body parts to send again, as fresh duplicates; the last one ends the request. */
    List<HttpContent> bodyParts() {
        List<HttpContent> out = new ArrayList<>(body.size() + 1);
        for (ByteBuf b : body) {
            out.add(new DefaultHttpContent(b.retainedDuplicate()));
        }
        if (!(head instanceof FullHttpRequest)) {
            out.add(body.isEmpty() ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent());
        }
        return out;
    }

    void clear() {
        if (head instanceof FullHttpRequest full) {
            full.release();
        }
        head = null;
        for (ByteBuf b : body) {
            b.release();
        }
        body.clear();
        bytes = 0;
        retryable = false;
        replayable = false;
    }

    static boolean idempotent(HttpMethod m) {
        String n = m.name();
        return n.equals("GET") || n.equals("HEAD") || n.equals("OPTIONS") || n.equals("PUT") || n.equals("DELETE");
    }
}
