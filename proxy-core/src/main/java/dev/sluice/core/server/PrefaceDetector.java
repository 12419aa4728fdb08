package dev.sluice.core.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code h2-preface}: the first bytes of a cleartext connection decide its protocol. When they
 * begin with the first line of the HTTP/2 connection preface ({@code PRI * HTTP/2.0}), the
 * connection is handed to HTTP/2 (prior knowledge), which reads the whole preface itself, so a
 * preface gone wrong after that line is answered with a GOAWAY, as an HTTP/2 client expects. Any
 * other first byte leaves the connection to HTTP/1.1. Either way this handler then removes
 * itself, passing on every byte it held. One instance per connection.
 */
final class PrefaceDetector extends ByteToMessageDecoder {

    private static final byte[] FIRST_LINE = "PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelHandlerContext> toHttp2;

    /** @param toHttp2 replaces the HTTP/1.1 handlers after {@code ctx} with the HTTP/2 ones */
    PrefaceDetector(Consumer<ChannelHandlerContext> toHttp2) {
        this.toHttp2 = requireNonNull(toHttp2, "toHttp2");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), FIRST_LINE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != FIRST_LINE[i]) {
                ctx.pipeline().remove(this);
                return;
            }
        }
        if (n == FIRST_LINE.length) {
            toHttp2.accept(ctx);
            ctx.pipeline().remove(this);
        }
    }
}
