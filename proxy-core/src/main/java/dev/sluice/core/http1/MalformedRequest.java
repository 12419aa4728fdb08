package dev.sluice.core.http1;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An in-band message from {@link RequestDecoder} (or the header timeout): the next request's head
 * was refused before any part of it became a request. It passes the handlers between the codec and
 * {@code hygiene} untouched (the flow-control queue included), so it is answered in order, after
 * any earlier request on the connection; the connection then closes. Immutable.
 *
 * @param status the answer: 400, 405, 408, 414, 431 or 505
 * @param reason one line for the client and the log
 */
public record MalformedRequest(HttpResponseStatus status, String reason) {
    public MalformedRequest {
        requireNonNull(status, "status");
        requireNonNull(reason, "reason");
    }
}
