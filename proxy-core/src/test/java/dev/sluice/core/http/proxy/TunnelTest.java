package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.http.RequestContext;
import dev.sluice.core.testing.Nodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TunnelTest {

    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = client.pipeline().firstContext();
    private final RecordingLease lease = new RecordingLease();
    private final AtomicInteger stripped = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final Tunnel tunnel = new Tunnel(ctx, p -> stripped.incrementAndGet(), ended::incrementAndGet);

    TunnelTest() {
        client.freezeTime();
        lease.begin(Nodes.withWeights(1).get(0));
        FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        tunnel.start(switching, lease, new ResponseRelay(ctx, new RequestContext("10.0.0.1", false, false, 0)));
    }

    @AfterEach
    void close() {
        lease.releaseAll();
        for (Object o; (o = client.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        client.finishAndReleaseAll();
    }

    /** A binary frame header (unmasked, as from a server) for {@code payload} bytes, then the payload. */
    private static ByteBuf frame(int payload) {
        return Unpooled.buffer().writeByte(0x82).writeByte(payload).writeZero(payload);
    }

    private static byte[] bytes(Object o) {
        ByteBuf b = (ByteBuf) o;
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void startingPassesThe101OnWithItsUpgradeHeadersAndTakesBothSidesOutOfHttp() {
        FullHttpResponse sent = client.readOutbound();
        assertEquals(101, sent.status().code());
        assertEquals("websocket", sent.headers().get("upgrade"));
        assertEquals("upgrade", sent.headers().get("connection"));
        sent.release();
        assertEquals(1, stripped.get(), "the client's HTTP handlers go");
        assertTrue(lease.tunnelled, "the upstream's too");
        assertTrue(client.config().isAutoRead());
        assertTrue(tunnel.open());
    }

    @Test
    void bytesPassBothWaysAsTheyCome() {
        ReferenceCountUtil.release(client.readOutbound()); // the 101
        tunnel.fromClient(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, bytes(lease.written.remove(0)));
        tunnel.fromUpstream(frame(4));
        assertEquals(6, bytes(client.readOutbound()).length);
    }

    @Test
    void onDrainTheClientsCloseFrameWaitsForTheEndOfTheFrameInFlight() {
        ReferenceCountUtil.release(client.readOutbound()); // the 101
        ByteBuf whole = frame(10);
        tunnel.fromUpstream(whole.readRetainedSlice(5)); // half a frame reached the client
        ReferenceCountUtil.release(client.readOutbound());
        tunnel.drain();
        assertNull(client.readOutbound(), "no close frame inside a frame");
        byte[] maskedClose = bytes(lease.written.remove(0));
        assertEquals((byte) 0x88, maskedClose[0], "the backend's side was at a boundary: its close goes at once");
        assertEquals((byte) 0x82, maskedClose[1], "masked, two bytes of payload");
        tunnel.fromUpstream(whole); // the rest of the frame
        ReferenceCountUtil.release(client.readOutbound());
        assertArrayEquals(new byte[] {(byte) 0x88, 0x02, 0x03, (byte) 0xE9}, bytes(client.readOutbound()), "close 1001, then");
        tunnel.fromUpstream(frame(3));
        assertNull(client.readOutbound(), "nothing after Sluice's close frame");
        tunnel.fromClient(Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0})); // the client's close
        assertEquals(1, ended.get(), "the client answered: the tunnel ends");
        assertFalse(tunnel.open());
    }

    @Test
    void aDrainedClientThatNeverAnswersIsClosedASecondLater() {
        ReferenceCountUtil.release(client.readOutbound()); // the 101
        tunnel.drain();
        assertEquals(0, ended.get());
        client.advanceTimeBy(Tunnel.CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertEquals(1, ended.get());
    }
}
