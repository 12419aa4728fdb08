package dev.sluice.core.tls;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http2.ConnectionErrors;
import dev.sluice.core.metrics.ClientErrors;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;

/**
 * Right after the TLS handler: a handshake that fails (no common version or cipher, a client that
 * does not trust the certificate, a broken record) is the client's problem, so it is counted in
 * {@link ClientErrors} and logged as one line (within the server-wide rate) by the connection's
 * {@link ConnectionErrors}, as its HTTP/2 mistakes are, never with a stack trace; the connection
 * closes. Other exceptions pass on. One instance per connection.
 */
public final class TlsEvents extends ChannelInboundHandlerAdapter {

    private final ConnectionErrors errors;
    private boolean reported;

    /** @param errors where this connection's mistakes are counted and logged, as its HTTP/2 ones are */
    public TlsEvents(ConnectionErrors errors) {
        this.errors = requireNonNull(errors, "errors");
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
        errors.report(ClientErrors.TLS_PLAINTEXT, "plain HTTP sent to a TLS port, answered 400");
    }

    private void report(Throwable cause) {
        if (reported) {
            return; // one failure per connection, however many exceptions tell of it
        }
        reported = true;
        errors.report(ClientErrors.TLS_HANDSHAKE, "TLS handshake failed: "
                + (cause instanceof NotSslRecordException ? "not a TLS record" : String.valueOf(cause.getMessage())));
    }
}
