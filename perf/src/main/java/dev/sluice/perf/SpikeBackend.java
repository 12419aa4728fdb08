package dev.sluice.perf;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A backend with a fixed capacity, as a real service has: {@code workers} requests are served at a
 * time, each for {@code serviceMillis}; the rest wait in a queue. Capacity is workers / service
 * time (16 x 2 ms: 8,000 req/s); above it the queue, and with it latency, grows without bound. One
 * event loop, so the queue needs no lock. A test load's backend, not part of Sluice.
 */
final class SpikeBackend implements AutoCloseable {

    private static final byte[] BODY = "ok\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final int workers;
    private final long serviceNanos;
    private final ArrayDeque<ChannelHandlerContext> queue = new ArrayDeque<>();
    private int busy;

    SpikeBackend(int port, int workers, double serviceMillis) throws InterruptedException {
        this.workers = workers;
        this.serviceNanos = (long) (serviceMillis * 1e6);
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096), new Handler());
                    }
                }).bind("127.0.0.1", port).sync().channel();
    }

    /** Requests per second it can serve. */
    double capacity() {
        return workers * 1e9 / serviceNanos;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (busy < workers) {
                serve(ctx);
            } else {
                queue.add(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset connection: nothing to report
        }
    }

    private void serve(ChannelHandlerContext ctx) {
        busy++;
        group.next().schedule(() -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(BODY));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
            ctx.writeAndFlush(r);
            busy--;
            ChannelHandlerContext next = queue.poll();
            if (next != null) {
                serve(next);
            }
        }, serviceNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
