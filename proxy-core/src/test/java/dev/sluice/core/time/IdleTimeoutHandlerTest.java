package dev.sluice.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.testing.FakeTicker;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleTimeoutHandlerTest {

    private final FakeTicker clock = new FakeTicker();
    private int idleEvents;
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final TimerWheel wheel = new TimerWheel(ch.eventLoop(), clock, TimeUnit.MILLISECONDS.toNanos(10));

    IdleTimeoutHandlerTest() {
        ch.pipeline().addLast(new IdleTimeoutHandler(wheel, Duration.ofSeconds(1).toNanos()), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt == IdleStateEvent.ALL_IDLE_STATE_EVENT) {
                    idleEvents++;
                }
            }
        });
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void after(long millis) {
        for (long m = 0; m < millis; m += 10) { // the driver's ticks, on the fake clock
            clock.advance(Duration.ofMillis(10));
            wheel.expireDue();
        }
    }

    @Test
    void aQuietChannelIsIdleAfterTheTimeoutAndAgainAfterAnother() {
        after(990);
        assertEquals(0, idleEvents);
        after(20);
        assertEquals(1, idleEvents);
        after(1000);
        assertEquals(2, idleEvents);
    }

    @Test
    void readsAndWritesPostponeIt() {
        after(600);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        after(600);
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
        after(600);
        assertEquals(0, idleEvents, "1.8 s of traffic at most 0.6 s apart");
        after(420);
        assertEquals(1, idleEvents, "a second after the write");
    }
}
