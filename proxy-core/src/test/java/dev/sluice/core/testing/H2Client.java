package dev.sluice.core.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/2 prior-knowledge (h2c) client on one connection; every request is its own stream. */
public final class H2Client implements AutoCloseable {

    /** A whole response. */
    public record Response(int status, HttpHeaders headers, String body) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final String authority;

    public H2Client(InetSocketAddress address) throws InterruptedException {
        authority = "127.0.0.1:" + address.getPort();
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(address).sync().channel();
    }

    public CompletableFuture<Response> get(String path) {
        return send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path));
    }

    /** A POST of {@code size} payload bytes with their Content-Length. */
    public CompletableFuture<Response> post(String path, int size) {
        ByteBuf body = io.netty.buffer.Unpooled.buffer(size);
        Payloads.fill(body, 0, size);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, size);
        return send(req);
    }

    /** Sends {@code req} on a stream of its own, its Host header set to this client's authority. */
    public CompletableFuture<Response> send(FullHttpRequest req) {
        req.headers().set(HttpHeaderNames.HOST, authority);
        return open(req);
    }

    /**
     * Sends one HEADERS frame that ends its stream, exactly as given (no header is added or
     * checked), for requests the HTTP/1-to-HTTP/2 conversion would not produce.
     */
    public CompletableFuture<Response> sendHeaders(Http2Headers headers) {
        return open(new DefaultHttp2HeadersFrame(headers, true));
    }

    /** A GET whose {@code :authority} and {@code host} are given apart. */
    public static Http2Headers get(String path, String authority, String host) {
        Http2Headers h = new DefaultHttp2Headers(false).method("GET").scheme("http").path(path).authority(authority);
        if (host != null) {
            h.add("host", host);
        }
        return h;
    }

    private CompletableFuture<Response> open(Object first) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new Collector(result));
                    }
                })
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        ReferenceCountUtil.release(first);
                        result.completeExceptionally(f.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                    stream.writeAndFlush(first);
                });
        return result;
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return connection.isActive();
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;
        private HttpHeaders headers = new DefaultHttpHeaders();

        Collector(CompletableFuture<Response> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    status = r.status().code();
                    headers = new DefaultHttpHeaders().add(r.headers());
                }
                if (msg instanceof HttpContent c) {
                    ByteBuf b = c.content();
                    body.writeBytes(ByteBufUtil.getBytes(b));
                }
                if (msg instanceof LastHttpContent) {
                    result.complete(new Response(status, headers, body.toString(StandardCharsets.UTF_8)));
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("stream closed before the response ended"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
