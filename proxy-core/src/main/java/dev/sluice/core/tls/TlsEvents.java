package dev.sluice.core.tls;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;

/**
 * Right after the TLS handler: a handshake that fails (no common version or cipher, a client that
 * does not trust the certificate, a broken record) is the client's problem, so it is counted in
 * {@link ClientErrors}, logged as one line (within the server-wide rate), never with a stack
 * trace, and the connection closed. Other exceptions pass on. One instance per connection.
 */
public final class TlsEvents extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(TlsEvents.class.getName());

    private final ClientErrors errors;
    private final String client;
    private final Ticker ticker;
    private boolean reported;

    public TlsEvents(ClientErrors errors, String client, Ticker ticker) {
        this.errors = requireNonNull(errors, "errors");
        this.client = requireNonNull(client, "client");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            report(done.cause());
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            report(cause instanceof DecoderException ? cause.getCause() : cause);
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Plain HTTP reached the TLS port (told by {@link TlsDetector}). */
    void plaintext() {
        errors.count(ClientErrors.TLS_PLAINTEXT);
        if (errors.mayLog(ticker.nanoTime())) {
            LOG.log(System.Logger.Level.INFO, "tls client={0}: plain HTTP sent to a TLS port, answered 400", client);
        }
    }

    private void report(Throwable cause) {
        if (reported) {
            return; // one failure per connection, however many exceptions tell of it
        }
        reported = true;
        errors.count(ClientErrors.TLS_HANDSHAKE);
        if (errors.mayLog(ticker.nanoTime())) {
            String what = cause instanceof NotSslRecordException ? "not a TLS record" : String.valueOf(cause.getMessage());
            LOG.log(System.Logger.Level.INFO, "tls client={0}: handshake failed: {1}", client, what);
        }
    }
}
