package dev.sluice.core.http1;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a message could not be framed after its head was passed on: the cause in the failed
 * {@code DecoderResult} of the last content the decoder emits. For a request, {@link #status} is
 * what the client is answered (400, 413, 431); a response that fails is a 502. Stack traces are
 * not filled in: the reason says all, and clients make these mistakes by the thousand.
 */
public final class FramingException extends DecoderException {

    private final transient HttpResponseStatus status;

    public FramingException(HttpResponseStatus status, String reason) {
        super(reason);
        this.status = status;
    }

    @Override
    public Throwable fillInStackTrace() {
        return this;
    }

    public HttpResponseStatus status() {
        return status;
    }
}
