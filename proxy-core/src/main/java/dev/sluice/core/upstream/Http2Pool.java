package dev.sluice.core.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionPrefaceAndSettingsFrameWrittenEvent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 connections of one node on one event loop ({@code protocol: h2}), each carrying many
 * requests as streams. A stream goes on the first connection that is not going away and has room
 * under the backend's {@code MAX_CONCURRENT_STREAMS}; when none has, another connection is opened
 * within {@code pool.maxConnectionsPerNode}; at that limit the least busy connection takes it and
 * Netty queues it until one of its streams ends. A backend's GOAWAY lets the streams it allows
 * finish and sends new ones to another connection; a connection without streams closes after
 * {@code pool.idleTimeout}. Every method runs on the pool's loop.
 */
public final class Http2Pool {

    /** Told when a stream is open, or why none could be. */
    public interface StreamCallback {
        /** The stream, counted against its connection until it closes. */
        void onStream(Http2StreamChannel stream);

        /** No stream: the connection could not be made, or was lost before the stream opened. */
        void onStreamFailed(Throwable cause);
    }

    /** The receive window of each connection, all its streams together. */
    static final int CONNECTION_WINDOW = 16 << 20;

    private final Node node;
    private final Bootstrap bootstrap;
    private final UpstreamConnector connector;
    private final List<Connection> connections = new ArrayList<>();

    Http2Pool(Node node, EventLoop loop, UpstreamConnector connector) {
        this.node = requireNonNull(node, "node");
        this.connector = requireNonNull(connector, "connector");
        this.bootstrap = connector.h2Bootstrap(loop, node.address());
    }

    /** One multiplexed connection: its streams in use, and the requests waiting for it to be ready. */
    private final class Connection extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
        final Channel channel;
        final ArrayDeque<StreamCallback> waiting = new ArrayDeque<>();
        /**
         * Streams may open once the preface is written (a stream's frames must follow it), the
         * backend's SETTINGS are in (its stream limit is known), and TLS, if any, chose h2.
         */
        boolean prefaceSent;
        boolean settingsReceived;
        boolean secured;
        boolean ready;
        boolean goingAway;
        int streams;

        Connection(Channel channel) {
            this.channel = channel;
        }

        int limit() {
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            return codec == null ? 0 : codec.connection().remote().maxActiveStreams();
        }

        boolean hasRoom() {
            return !goingAway && channel.isActive() && (!ready || streams < limit());
        }

        /** A stream of this connection closed. */
        @Override
        public void operationComplete(ChannelFuture streamClosed) {
            streams--;
            if (streams == 0 && goingAway) {
                channel.close();
            }
        }

        /** Connection-level frames the multiplexer passes on: a GOAWAY means no new streams here. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame) {
                settingsReceived = true;
                readyIfSo(this);
            } else if (msg instanceof Http2GoAwayFrame) {
                goingAway = true;
                if (streams == 0) {
                    channel.close();
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ConnectionPrefaceAndSettingsFrameWrittenEvent) {
                prefaceSent = true;
                readyIfSo(this);
            } else if (evt instanceof IdleStateEvent && streams == 0) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reported to the streams through their close
        }
    }

    /** Opens a stream for {@code callback}, maybe at once; at the connection limit, on the least busy connection. */
    public void openStream(StreamCallback callback) {
        Connection chosen = null;
        for (Connection c : connections) {
            if (c.hasRoom()) {
                chosen = c;
                break;
            }
        }
        if (chosen == null && node.pools().tryReserve()) {
            chosen = connect();
        }
        if (chosen == null) {
            for (Connection c : connections) {
                if (!c.goingAway && c.channel.isActive() && (chosen == null || c.streams < chosen.streams)) {
                    chosen = c;
                }
            }
        }
        if (chosen == null) {
            callback.onStreamFailed(new PoolExhaustedException("upstream connection limit reached for " + node.address()));
            return;
        }
        chosen.streams++;
        if (chosen.ready) {
            open(chosen, callback);
        } else {
            chosen.waiting.add(callback);
        }
    }

    private void open(Connection c, StreamCallback callback) {
        new Http2StreamChannelBootstrap(c.channel).handler(connector.streamInitializer()).open().addListener(
                (Future<Http2StreamChannel> f) -> {
                    if (f.isSuccess()) {
                        f.getNow().closeFuture().addListener(c);
                        callback.onStream(f.getNow());
                    } else {
                        c.streams--;
                        callback.onStreamFailed(f.cause());
                    }
                });
    }

    private Connection connect() {
        ChannelFuture f = bootstrap.connect(node.socketAddress());
        Connection c = new Connection(f.channel());
        connections.add(c);
        f.channel().closeFuture().addListener(closed -> {
            connections.remove(c);
            node.pools().closed();
            fail(c, new IOException("connection to " + node.address() + " closed"));
        });
        boolean connectedAlready = f.isDone(); // then channelActive has run too, and written the preface
        f.addListener(connected -> {
            if (!connected.isSuccess()) {
                fail(c, connected.cause());
                return;
            }
            // Connect listeners run before channelActive, which writes the preface: added now, the
            // connection hears of the preface, and opens no stream before it.
            ChannelPipeline p = f.channel().pipeline();
            p.addLast(UpstreamNames.H2_CONNECTION, c);
            c.prefaceSent = connectedAlready;
            SslHandler tls = p.get(SslHandler.class);
            if (tls == null) {
                c.secured = true;
                readyIfSo(c);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    fail(c, h.cause());
                } else if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                    fail(c, new SSLHandshakeException(node.address() + " did not negotiate h2 (ALPN: " + tls.applicationProtocol() + ")"));
                } else {
                    c.secured = true;
                    readyIfSo(c);
                }
            });
        });
        return c;
    }

    private void readyIfSo(Connection c) {
        if (c.ready || !c.prefaceSent || !c.settingsReceived || !c.secured || !c.channel.isActive()) {
            return;
        }
        c.ready = true;
        widenConnectionWindow(c);
        // Requests queued here before the backend said its limit: what the limit leaves room for
        // opens here, the rest looks for room again (another connection, maybe a new one).
        int room = c.limit() - (c.streams - c.waiting.size());
        StreamCallback w;
        while ((w = c.waiting.pollFirst()) != null) {
            if (room-- > 0) {
                open(c, w);
            } else {
                c.streams--;
                openStream(w);
            }
        }
    }

    /**
     * The connection's receive window grows to {@link #CONNECTION_WINDOW} while each stream keeps
     * the default 64 KiB: a stream whose client reads slowly holds back at most its own window,
     * never the whole connection's, so the other streams go on (Envoy's defaults are alike).
     */
    private static void widenConnectionWindow(Connection c) {
        Http2Connection connection = c.channel.pipeline().get(Http2FrameCodec.class).connection();
        try {
            connection.local().flowController().incrementWindowSize(connection.connectionStream(),
                    CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        } catch (Http2Exception e) {
            c.channel.close(); // not expected: the window is far below its limit
        }
    }

    private void fail(Connection c, @Nullable Throwable cause) {
        c.channel.close();
        StreamCallback w;
        while ((w = c.waiting.pollFirst()) != null) {
            c.streams--;
            w.onStreamFailed(cause);
        }
    }

    /** The connection {@code parent} refused a stream: it takes no new ones. */
    public void goingAway(Channel parent) {
        for (Connection c : connections) {
            if (c.channel == parent) {
                c.goingAway = true;
            }
        }
    }

    /** Streams in use on this loop's connections. */
    public int streams() {
        int n = 0;
        for (Connection c : connections) {
            n += c.streams;
        }
        return n;
    }

    /** Connections open on this loop. */
    public int connections() {
        return connections.size();
    }

    /** Closes the connections without streams (the node left its cluster), on this pool's loop. */
    void closeIdleLater(EventLoop loop) {
        loop.execute(() -> {
            for (Connection c : List.copyOf(connections)) {
                c.goingAway = true;
                if (c.streams == 0) {
                    c.channel.close();
                }
            }
        });
    }
}
