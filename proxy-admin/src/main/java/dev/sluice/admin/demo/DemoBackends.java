package dev.sluice.admin.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The backends {@code --demo} starts in the same process: each answers every request with one line
 * naming itself and what it received, so a user sees the balancing at work with curl. Each answers
 * after a few milliseconds, as a real service would (2 to 10 ms at random; so latency-aware
 * balancers have differences to see), and the one on {@link #SLOW_PORT} {@link #SLOW_MS} ms later
 * still. Delays are scheduled on the backend's event loop, never blocking it.
 */
public final class DemoBackends implements AutoCloseable {

    /** The demo's slow node. */
    public static final int SLOW_PORT = 18084;
    static final long SLOW_MS = 80;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<Channel> servers = new ArrayList<>();

    /** Starts one backend per address; fails (having closed what it started) if any cannot bind. */
    public DemoBackends(List<InetSocketAddress> addresses) throws Exception {
        try {
            for (int i = 0; i < addresses.size(); i++) {
                String name = "demo-backend-" + (i + 1);
                long delayMs = addresses.get(i).getPort() == SLOW_PORT ? SLOW_MS : 0; // on top of the 2..10 ms
                servers.add(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new HttpServerCodec(), new Answer(name, delayMs));
                            }
                        })
                        .bind(addresses.get(i)).sync().channel());
            }
        } catch (Exception e) { // bind failures arrive as checked exceptions thrown through sync()
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Channel ch : servers) {
            ch.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Answers when the request has been read to its end; the body itself is discarded. */
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        private final String name;
        private final long delayMs;
        private String line = "";
        private boolean keepAlive;

        Answer(String name, long delayMs) {
            this.name = name;
            this.delayMs = delayMs;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                keepAlive = HttpUtil.isKeepAlive(r);
                String id = r.headers().get("x-request-id");
                line = name + " answered " + r.method() + " " + r.uri() + " (x-forwarded-for: "
                        + r.headers().get("x-forwarded-for") + ", x-request-id: " + id + ")\n";
            }
            if (msg instanceof LastHttpContent) {
                String answer = line;
                boolean keep = keepAlive;
                long micros = (delayMs + 2) * 1000 + ThreadLocalRandom.current().nextLong(8000);
                ctx.executor().schedule(() -> answer(ctx, answer, keep), micros, TimeUnit.MICROSECONDS);
            }
        }

        private static void answer(ChannelHandlerContext ctx, String line, boolean keepAlive) {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    ByteBufUtil.writeUtf8(ctx.alloc(), line));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
