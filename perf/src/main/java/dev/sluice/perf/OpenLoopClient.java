package dev.sluice.perf;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator: requests are due at a fixed rate whatever the answers do,
 * and each one's latency is measured from when it was due, not from when a connection was free to
 * send it (so a stall shows as latency, not as fewer requests: no coordinated omission). A due
 * request takes an idle keep-alive connection, or opens one (up to {@code maxConnections}), or
 * waits for one. Answers are counted per second of due time: admitted (2xx) with their latency
 * histogram, refused (429) with theirs, 5xx, and failures (no answer within the timeout, a closed
 * connection). All on one event loop; bounded by the caller's {@link #rate} schedule and {@link #close}.
 */
final class OpenLoopClient implements AutoCloseable {

    /** One second of due requests and what became of them. */
    static final class Second {
        long sent;
        long admitted;
        long refused;
        long serverErrors;
        long failed;
        double offeredRate;
        final Histogram admittedNanos = new Histogram(60_000_000_000L, 3);
        final Histogram refusedNanos = new Histogram(60_000_000_000L, 3);

        /** Adds {@code other}'s counts and latencies to this one's (a phase is the sum of its seconds). */
        void add(Second other) {
            sent += other.sent;
            admitted += other.admitted;
            refused += other.refused;
            serverErrors += other.serverErrors;
            failed += other.failed;
            admittedNanos.add(other.admittedNanos);
            refusedNanos.add(other.refusedNanos);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final Bootstrap bootstrap;
    private final String path;
    private final int maxConnections;
    private final long timeoutNanos;
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final List<Conn> all = new ArrayList<>();
    private final ArrayDeque<long[]> waiting = new ArrayDeque<>();
    private final List<Second> seconds = new ArrayList<>();
    private final long t0 = System.nanoTime();
    private final ScheduledFuture<?> ticker;
    private double rate;
    private double credit;
    private long lastTick = t0;
    private int opening;

    /** @param warm connections opened at once, so a spike finds them (clients behind a load balancer keep theirs open) */
    OpenLoopClient(InetSocketAddress target, String path, int maxConnections, int warm, long timeoutMillis) {
        this.path = path;
        this.maxConnections = maxConnections;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(target)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536));
                    }
                });
        loop.execute(() -> {
            for (int i = 0; i < warm; i++) {
                open();
            }
        });
        this.ticker = loop.scheduleAtFixedRate(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                e.printStackTrace(); // a failing tick would stop the schedule: say why, and go on
            }
        }, 1, 1, TimeUnit.MILLISECONDS);
    }

    /** From now on, {@code perSecond} requests are due each second. */
    void rate(double perSecond) {
        loop.execute(() -> rate = perSecond);
    }

    /** The seconds recorded so far, by due time since the client started (a copy, made on the loop). */
    List<Second> seconds() {
        return loop.submit(() -> List.copyOf(seconds)).syncUninterruptibly().getNow();
    }

    /** Nanoseconds since the client started (second {@code i} of {@link #seconds} begins at i x 1e9). */
    long elapsedNanos() {
        return System.nanoTime() - t0;
    }

    private Second second(long dueNanos) {
        int i = (int) ((dueNanos - t0) / 1_000_000_000L);
        while (seconds.size() <= i) {
            Second s = new Second();
            s.offeredRate = rate;
            seconds.add(s);
        }
        return seconds.get(i);
    }

    private void tick() {
        long now = System.nanoTime();
        credit += rate * (now - lastTick) / 1e9;
        long step = now - lastTick;
        long n = (long) credit;
        credit -= n;
        for (long k = 0; k < n; k++) {
            dispatch(lastTick + (k + 1) * step / (n + 1)); // spread over the millisecond it was due in
        }
        lastTick = now;
        for (Conn c : new ArrayList<>(all)) { // a close removes the connection from the list at once
            if (c.dueNanos != 0 && now - c.dueNanos > timeoutNanos) {
                c.fail();
            }
        }
        for (long[] w : waiting) {
            if (now - w[0] > timeoutNanos) {
                second(w[0]).failed++; // counted; removed below
                w[0] = 0;
            }
        }
        waiting.removeIf(w -> w[0] == 0);
    }

    private void dispatch(long due) {
        second(due).sent++;
        Conn c = idle.poll();
        if (c != null) {
            c.send(due);
            return;
        }
        waiting.add(new long[] {due});
        if (all.size() + opening < maxConnections) {
            open();
        }
    }

    private void open() {
        opening++;
        bootstrap.connect().addListener(f -> {
            opening--;
            if (f.isSuccess()) {
                Conn conn = new Conn(((io.netty.channel.ChannelFuture) f).channel());
                all.add(conn);
                conn.next();
            }
        });
    }

    private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> {
        final Channel ch;
        long dueNanos;

        Conn(Channel ch) {
            this.ch = ch;
            ch.pipeline().addLast(this);
            ch.closeFuture().addListener(f -> {
                if (dueNanos != 0) {
                    second(dueNanos).failed++;
                    dueNanos = 0;
                }
                all.remove(this);
                idle.remove(this);
            });
        }

        void send(long due) {
            dueNanos = due;
            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            r.headers().set(HttpHeaderNames.HOST, "spike");
            ch.writeAndFlush(r, ch.voidPromise());
        }

        /** Idle: the oldest waiting request, or back to the pool. */
        void next() {
            long[] w = waiting.poll();
            if (w != null) {
                send(w[0]);
            } else {
                idle.add(this);
            }
        }

        void fail() {
            ch.close();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
            long now = System.nanoTime();
            Second s = second(dueNanos);
            int status = resp.status().code();
            long latency = now - dueNanos;
            dueNanos = 0;
            if (status / 100 == 2) {
                s.admitted++;
                s.admittedNanos.recordValue(Math.min(latency, s.admittedNanos.getHighestTrackableValue()));
            } else if (status == 429) {
                s.refused++;
                s.refusedNanos.recordValue(Math.min(latency, s.refusedNanos.getHighestTrackableValue()));
            } else if (status >= 500) {
                s.serverErrors++;
            } else {
                s.failed++;
            }
            if (HttpUtil.isKeepAlive(resp)) {
                next();
            } else {
                ch.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        ticker.cancel(false);
        loop.submit(() -> new ArrayList<>(all).forEach(Conn::fail)).syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
