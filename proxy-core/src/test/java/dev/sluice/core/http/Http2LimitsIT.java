package dev.sluice.core.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/2 abuse limits: a rapid-reset client is disconnected while other clients keep being served. */
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
        try (H2Client bystander = new H2Client(sluice.address())) {
            Channel attacker = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
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
            assertTrue(sent >= 50 && sent < 500, "disconnected after " + sent + " resets (limit 50 per window)");
            for (int i = 0; i < 20; i++) {
                assertEquals(200, bystander.get("/").get(5, TimeUnit.SECONDS).status(), "the other client is still served");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
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
