package dev.sluice.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A small streaming HTTP/1.1 backend on a loopback ephemeral port. It never buffers a body:
 * uploads are checksummed as they arrive and downloads are generated as they are sent.
 * <ul>
 *   <li>{@code /upload}: answers {@code bytes=N crc=X} for the request body</li>
 *   <li>{@code /download?size=N[&chunked=true]}: {@link Payloads} bytes, Content-Length or chunked</li>
 *   <li>{@code /headers}: the request line and every header as received, one per line</li>
 *   <li>{@code .../hang}: never answers</li>
 *   <li>{@code /status/NNN}: that status</li>
 *   <li>anything else: 200 with the backend's name as body</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable {

    /** What the backend saw of one request. */
    public record Seen(String method, String uri, HttpHeaders headers) {
    }

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private volatile int failPercent;
    private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final io.netty.channel.group.ChannelGroup accepted =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    private TestBackend(String name, int port) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        accepted.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name, 0);
    }

    /** Starts on a given port, e.g. to bring a stopped backend back on its old address. */
    public static TestBackend start(String name, int port) throws InterruptedException {
        return new TestBackend(name, port);
    }

    /** From now on, answer 500 to {@code percent} of every 100 requests (deterministically spread). */
    public TestBackend failing(int percent) {
        this.failPercent = percent;
        return this;
    }

    /** Requests answered so far. */
    public int served() {
        return served.get();
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return connections.get();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Stops like a crashed process: the listening socket and every open connection go at once (reset). */
    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        for (Channel ch : accepted) {
            try {
                ch.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
            } catch (io.netty.channel.ChannelException closedMeanwhile) {
                // the peer closed it first: nothing to reset
            }
        }
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private final CRC32 crc = new CRC32();
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    request = r;
                    crc.reset();
                    bytes = 0;
                    seen.add(new Seen(r.method().name(), r.uri(), new DefaultHttpHeaders().add(r.headers())));
                }
                if (msg instanceof HttpContent c) {
                    ByteBuf b = c.content();
                    bytes += b.readableBytes();
                    crc.update(b.nioBuffer());
                }
                if (msg instanceof LastHttpContent) {
                    respond(ctx, request);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (path.endsWith("/hang")) {
                return;
            }
            if (path.equals("/download")) {
                download(ctx, Long.parseLong(param(q, "size", "0")), Boolean.parseBoolean(param(q, "chunked", "false")), keepAlive);
                return;
            }
            HttpResponseStatus status = HttpResponseStatus.OK;
            String body;
            int n = served.getAndIncrement();
            if (failPercent > 0 && (n * 37) % 100 < failPercent) {
                status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                body = name + " failed";
            } else if (path.equals("/upload")) {
                body = "bytes=" + bytes + " crc=" + crc.getValue();
            } else if (path.equals("/headers")) {
                StringBuilder sb = new StringBuilder(req.method() + " " + req.uri() + " " + req.protocolVersion() + "\n");
                for (Map.Entry<String, String> e : req.headers()) {
                    sb.append(e.getKey().toLowerCase()).append(": ").append(e.getValue()).append('\n');
                }
                body = sb.toString();
            } else if (path.startsWith("/status/")) {
                status = HttpResponseStatus.valueOf(Integer.parseInt(path.substring(8)));
                body = "status " + status.code();
            } else {
                body = name;
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    ByteBufUtil.writeUtf8(ctx.alloc(), body));
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            resp.headers().set("x-backend", name);
            HttpUtil.setKeepAlive(resp, keepAlive);
            if (path.equals("/headers")) {
                // Hop-by-hop headers a proxy must not pass on.
                resp.headers().add(HttpHeaderNames.CONNECTION, "x-secret");
                resp.headers().set("x-secret", "1");
                resp.headers().set(HttpHeaderNames.KEEP_ALIVE, "timeout=5");
                resp.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic");
            }
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void download(ChannelHandlerContext ctx, long size, boolean chunked, boolean keepAlive) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(head, true);
            } else {
                HttpUtil.setContentLength(head, size);
            }
            head.headers().set("x-backend", name);
            HttpUtil.setKeepAlive(head, keepAlive);
            ctx.write(head);
            int chunk = 32 * 1024;
            for (long off = 0; off < size; off += chunk) {
                int n = (int) Math.min(chunk, size - off);
                ByteBuf b = ctx.alloc().buffer(n);
                Payloads.fill(b, off, n);
                ctx.write(new DefaultHttpContent(b));
            }
            var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static String param(QueryStringDecoder q, String key, String dflt) {
            List<String> v = q.parameters().get(key);
            return v == null || v.isEmpty() ? dflt : v.get(0);
        }
    }
}
