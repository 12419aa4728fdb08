package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.testing.FakeTicker;
import dev.sluice.core.time.TimerWheel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final FakeTicker clock = new FakeTicker();
    private final TimerWheel wheel = new TimerWheel(loop.eventLoop(), clock, TimeUnit.MILLISECONDS.toNanos(1));
    private final AtomicInteger expired = new AtomicInteger();
    private final Deadline deadline = new Deadline(TimeUnit.SECONDS.toNanos(30), wheel, expired::incrementAndGet);

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private void after(long millis) {
        clock.advance(Duration.ofMillis(millis)); // the wheel's clock moves only when the test moves it
        wheel.expireDue();
    }

    private static HttpRequest call(String grpcTimeout) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/svc/M");
        head.headers().set("content-type", "application/grpc");
        if (grpcTimeout != null) {
            head.headers().set("grpc-timeout", grpcTimeout);
        }
        return head;
    }

    @Test
    void aShorterGrpcTimeoutIsTheDeadline() {
        deadline.start(true, call("250m"));
        after(249);
        assertEquals(0, expired.get());
        after(1);
        assertEquals(1, expired.get());
        assertEquals("request not completed within 250ms (grpc-timeout)", deadline.reason(true));
    }

    @Test
    void withoutOneOrWithALongerOneTheRequestTimeoutIs() {
        deadline.start(true, call("5M"));
        after(29_999);
        assertEquals(0, expired.get());
        after(1);
        assertEquals(1, expired.get());
        assertEquals("request not received within 30000ms (requestTimeout)", deadline.reason(false));
    }

    @Test
    void aCancelledDeadlineNeverFires() {
        deadline.start(false, call(null));
        deadline.cancel();
        after(60_000);
        assertEquals(0, expired.get());
    }
}
