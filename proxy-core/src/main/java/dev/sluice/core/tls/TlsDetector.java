package dev.sluice.core.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of a TLS listener's connection. A TLS record goes on to SNI (the certificate
 * for the client's server name) and the handshake, which must finish within the listener's
 * {@code headerTimeout}. Anything else, plain HTTP sent to a TLS port, is answered at once with a
 * cleartext 400 that says so (as NGINX does), counted, and the connection closed. One instance
 * per connection.
 */
public final class TlsDetector extends ByteToMessageDecoder {

    /** A TLS record header: content type, version, length. */
    private static final int RECORD_HEADER = 5;
    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    private static final byte[] PLAIN_HTTP;

    static {
        String body = "plain HTTP sent to a TLS port: use https\n";
        PLAIN_HTTP = ("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: " + body.length()
                + "\r\nconnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private final ServerCertificates certificates;
    private final TlsEvents events;
    private final long handshakeTimeoutMillis;
    private final String name;

    /** @param name the pipeline name the SNI handler takes in place of this one */
    public TlsDetector(ServerCertificates certificates, TlsEvents events, long handshakeTimeoutMillis, String name) {
        this.certificates = requireNonNull(certificates, "certificates");
        this.events = requireNonNull(events, "events");
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.name = requireNonNull(name, "name");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            return; // the decoder asks for more itself while auto-read is off
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().replace(this, name, new SniHandler(certificates, MAX_CLIENT_HELLO, handshakeTimeoutMillis));
            return;
        }
        in.skipBytes(in.readableBytes());
        events.plaintext();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_HTTP)).addListener(ChannelFutureListener.CLOSE);
    }
}
