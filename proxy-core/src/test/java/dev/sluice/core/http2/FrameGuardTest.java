package dev.sluice.core.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guard's memory of opened stream ids, which grows with the ids a connection uses. */
class FrameGuardTest {

    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel ch = new EmbeddedChannel(new FrameGuard(TimeUnit.SECONDS.toNanos(10), 0),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    errors.add(cause);
                }
            });

    FrameGuardTest() {
        ch.writeInbound(Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII));
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    /** An empty HEADERS frame with END_HEADERS and END_STREAM on {@code stream}. */
    private void headers(int stream) {
        ByteBuf f = Unpooled.buffer(9).writeMedium(0).writeByte(0x1).writeByte(0x5).writeInt(stream);
        ch.writeInbound(f);
    }

    @Test
    void aLowerIdNeverOpenedIsRefusedHoweverFarTheIdsJumped() {
        headers(1);
        headers(3);
        headers(9001); // the memory grows to hold every id up to here
        headers(1); // trailers of an opened stream: Netty's to judge
        assertEquals(List.of(), errors);
        headers(4001);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("HEADERS would open stream 4001, lower than stream 9001"),
                errors.get(0).getMessage());
    }

    @Test
    void beyondTheWindowOlderIdsCountAsOpened() {
        headers(1);
        headers(4 * FrameGuard.WINDOW + 1);
        headers(3); // 2 x WINDOW ids back and more: no longer remembered
        assertEquals(List.of(), errors);
        headers(4 * FrameGuard.WINDOW - 1);
        assertEquals(1, errors.size(), "within the window, a gap is still seen");
    }
}
