package dev.sluice.core.http2;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.time.Ticker;
import io.netty.handler.codec.http2.Http2Error;

/**
 * The protocol mistakes of one HTTP/2 client connection: each is counted in the server's
 * {@link ClientErrors}, and the first is logged as one line (if the server-wide rate allows),
 * naming the client, the code answered and what was wrong. No stack trace: these are the
 * client's mistakes, not Sluice's. One instance per connection; event-loop confined (the
 * connection's streams run on its loop).
 */
public final class ConnectionErrors {

    private static final System.Logger LOG = System.getLogger(ConnectionErrors.class.getName());

    private final ClientErrors counts;
    private final String peer;
    private final Ticker ticker;
    private boolean logged;

    public ConnectionErrors(ClientErrors counts, String peer, Ticker ticker) {
        this.counts = requireNonNull(counts, "counts");
        this.peer = requireNonNull(peer, "peer");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** A mistake of this connection's client, answered with {@code code} (a RST_STREAM or a GOAWAY). */
    public void report(Http2Error code, int stream, String what) {
        counts.count(code);
        if (!logged && counts.mayLog(ticker.nanoTime())) {
            logged = true; // one line per connection: the rest are counted only
            LOG.log(System.Logger.Level.INFO, "h2 client error client={0} stream={1} answer={2}: {3}",
                    peer, stream, code, what);
        }
    }

    /** A mistake of this connection's client of one of {@link ClientErrors}' other kinds (TLS). */
    public void report(String kind, String what) {
        counts.count(kind);
        if (!logged && counts.mayLog(ticker.nanoTime())) {
            logged = true;
            LOG.log(System.Logger.Level.INFO, "client error client={0} kind={1}: {2}", peer, kind, what);
        }
    }
}
