package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RawH2;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/2 abuse limits: a rapid-reset client is disconnected while other clients keep being served; one under the limit is not. */
class Http2LimitsIT {

    private static TestBackend backend;
    private static RunningSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        sluice = RunningSluice.start("""
                listeners:
                  - { name: test, bind: "127.0.0.1:0", maxRequestBodyBytes: 1KiB,
                      http2: { maxConcurrentStreams: 100, maxResetsPerWindow: 50, resetWindow: 10s } }
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(backend.address()));
    }

    @AfterAll
    static void stop() {
        sluice.close();
        backend.close();
    }

    @Test
    void rapidResetClientIsDisconnectedWhileOthersAreServed() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicLong goAway = new AtomicLong(-1);
        try (H2Client bystander = new H2Client(sluice.address())) {
            Channel attacker = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof Http2GoAwayFrame g) {
                                                goAway.set(g.errorCode());
                                            }
                                            ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    })
                    .connect(sluice.address()).sync().channel();
            int sent = 0;
            for (int i = 0; i < 500 && attacker.isActive(); i++) {
                Http2StreamChannel stream;
                try {
                    stream = new Http2StreamChannelBootstrap(attacker).open().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException closedBySluice) {
                    break;
                }
                DefaultHttp2Headers h = new DefaultHttp2Headers();
                h.method("GET").path("/").scheme("http").authority("t");
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, false));
                stream.close(); // RST_STREAM(CANCEL) right after HEADERS: the rapid-reset pattern
                sent++;
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !attacker.isActive());
            // What Sluice decided, not how many resets the client wrote before the GOAWAY reached it (a race);
            // that it does not cut a client below the limit is aClientUnderTheResetLimitIsServed.
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.get(), "GOAWAY code");
            assertTrue(sent >= 50, "disconnected after " + sent + " resets (limit 50 per window)");
            for (int i = 0; i < 20; i++) {
                assertEquals(200, bystander.get("/").get(5, TimeUnit.SECONDS).status(), "the other client is still served");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** 40 rapid resets within the window (limit 50): the connection still serves its next request. */
    @Test
    void aClientUnderTheResetLimitIsServed() throws Exception {
        try (RawH2 c = new RawH2(sluice.address())) {
            for (int i = 0; i < 40; i++) {
                c.headers(2 * i + 1, RawH2.request("GET", "/"), false);
                c.frame(RawH2.RST_STREAM, 0, 2 * i + 1, new byte[] {0, 0, 0, (byte) RawH2.CANCEL});
            }
            c.headers(81, RawH2.request("GET", "/after"), true);
            RawH2.Frame head = c.await(RawH2.HEADERS, 81);
            assertNotNull(head, "stream 81 is answered");
            assertEquals(200, RawH2.status(head));
        }
    }

    @Test
    void perStreamBodyLimitAppliesToHttp2Too() throws Exception {
        try (H2Client h2 = new H2Client(sluice.address())) {
            // The declared body is over maxRequestBodyBytes: 413 on that stream; the connection serves on.
            H2Client.Response r = h2.post("/upload", 4096).get(5, TimeUnit.SECONDS);
            assertEquals(413, r.status());
            assertEquals(200, h2.get("/").get(5, TimeUnit.SECONDS).status());
        }
    }
}
