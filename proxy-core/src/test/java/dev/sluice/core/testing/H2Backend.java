package dev.sluice.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 backend on a loopback port (h2c prior knowledge, or TLS with ALPN when given a
 * context), with a {@code MAX_CONCURRENT_STREAMS} of its choosing. Each request is answered after
 * {@code ?delay=ms} with the backend's name and the request body, and trailers: its name, and the
 * request's {@code x-request-trailer} when it had one; {@code ?size=N} answers N bytes instead,
 * written as fast as the stream takes them. It keeps the most streams it ever saw open
 * at once on one connection, the connections it accepted, and can send GOAWAY after a number of
 * streams per connection.
 */
public final class H2Backend implements AutoCloseable {

    private static final AttributeKey<AtomicInteger> OPEN = AttributeKey.valueOf("h2backend.open");
    private static final AttributeKey<AtomicInteger> DONE = AttributeKey.valueOf("h2backend.done");

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final Queue<String> requestTrailers = new ConcurrentLinkedQueue<>();
    private volatile int goAwayAfter;

    private H2Backend(String name, int maxConcurrentStreams, @Nullable SslContext tls) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.attr(OPEN).set(new AtomicInteger());
                        ch.attr(DONE).set(new AtomicInteger());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams)).build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Answer());
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    /** An h2c backend allowing {@code maxConcurrentStreams} streams per connection. */
    public static H2Backend start(String name, int maxConcurrentStreams) throws InterruptedException {
        return new H2Backend(name, maxConcurrentStreams, null);
    }

    /** A TLS backend (ALPN h2) with {@code tls} as its server context. */
    public static H2Backend startTls(String name, int maxConcurrentStreams, SslContext tls) throws InterruptedException {
        return new H2Backend(name, maxConcurrentStreams, tls);
    }

    /** From now on each connection gets a GOAWAY after its {@code streams}-th answered stream. */
    public H2Backend goAwayAfter(int streams) {
        this.goAwayAfter = streams;
        return this;
    }

    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    /** The most streams seen open at once on one connection. */
    public int maxOpenStreams() {
        return maxOpen.get();
    }

    public int served() {
        return served.get();
    }

    /** The {@code x-request-trailer} values of the requests that had one. */
    public Queue<String> requestTrailers() {
        return requestTrailers;
    }

    private final class Answer extends ChannelInboundHandlerAdapter {
        private final ByteBuf body = Unpooled.buffer();
        private long delayMillis;
        private long size = -1;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel parent = ctx.channel().parent();
            try {
                if (msg instanceof HttpRequest req) {
                    int open = parent.attr(OPEN).get().incrementAndGet();
                    maxOpen.accumulateAndGet(open, Math::max);
                    String delay = new QueryStringDecoder(req.uri()).parameters().getOrDefault("delay", List.of("0")).get(0);
                    delayMillis = Long.parseLong(delay);
                    List<String> sized = new QueryStringDecoder(req.uri()).parameters().get("size");
                    size = sized == null ? -1 : Long.parseLong(sized.get(0));
                }
                if (msg instanceof HttpContent part) {
                    body.writeBytes(part.content());
                }
                if (msg instanceof LastHttpContent last) {
                    String trailer = last.trailingHeaders().get("x-request-trailer");
                    if (trailer != null) {
                        requestTrailers.add(trailer);
                    }
                    ctx.executor().schedule(() -> answer(ctx, trailer), delayMillis, TimeUnit.MILLISECONDS);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx, @Nullable String requestTrailer) {
            Channel parent = ctx.channel().parent();
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set("content-type", "text/plain");
            ctx.write(head);
            if (size >= 0) {
                body.release();
                parent.attr(OPEN).get().decrementAndGet();
                served.incrementAndGet();
                writeBig(ctx, size);
                return;
            }
            ByteBuf out = ByteBufUtil.writeUtf8(ctx.alloc(), name + "\n");
            out.writeBytes(body);
            body.release();
            ctx.write(new DefaultHttpContent(out));
            LastHttpContent end = new DefaultLastHttpContent();
            end.trailingHeaders().set("x-backend-trailer", name);
            if (requestTrailer != null) {
                end.trailingHeaders().set("x-echoed-trailer", requestTrailer);
            }
            parent.attr(OPEN).get().decrementAndGet();
            served.incrementAndGet();
            ctx.writeAndFlush(end);
            int done = parent.attr(DONE).get().incrementAndGet();
            if (goAwayAfter > 0 && done == goAwayAfter) {
                parent.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            }
        }

        /** {@code left} bytes in 16 KiB parts, each written when the stream can take it. */
        private void writeBig(ChannelHandlerContext ctx, long left) {
            while (left > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(16384, left);
                left -= n;
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[n])));
            }
            if (left == 0) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.flush();
            long rest = left;
            ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    writeBig(ctx, rest);
                }
            }, 1, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (body.refCnt() > 0) {
                body.release();
            }
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The body of a response from this backend: its name, then what was sent. */
    public static String body(String name, String sent) {
        return name + "\n" + sent;
    }
}
