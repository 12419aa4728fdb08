package dev.sluice.core.upstream;

import java.io.IOException;

/**
 * An HTTP/2 stream the backend did not process: above the last stream id of its GOAWAY, or reset
 * with REFUSED_STREAM. RFC 9113 section 8.7: such a request may be sent again.
 */
public final class RefusedStreamException extends IOException {

    public RefusedStreamException(String why) {
        super(why);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a routine event of a connection, not a place in Sluice's code
    }
}
