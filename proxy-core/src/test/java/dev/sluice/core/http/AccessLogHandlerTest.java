package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.metrics.AccessLog;
import dev.sluice.core.testing.FakeTicker;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessLogHandlerTest {

    @Test
    void oneJsonLinePerRequestWithTheRefusalReason() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FakeTicker ticker = new FakeTicker();
        RequestContext rc = new RequestContext("203.0.113.7", false, false, 0);
        try (AccessLog log = new AccessLog(out, 10)) {
            EmbeddedChannel ch = new EmbeddedChannel(new AccessLogHandler(rc, () -> log, () -> null, ticker));
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a\"b",
                    Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            req.headers().set("host", "shop.test");
            rc.begin(req, ticker.nanoTime());
            rc.requestId("req-1");
            ch.writeInbound(req);
            ReferenceCountUtil.release(ch.readInbound());
            ticker.advance(Duration.ofMillis(42));
            rc.refusal("ip");
            ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS,
                    Unpooled.copiedBuffer("rate limited: ip\n", StandardCharsets.US_ASCII)));
            ReferenceCountUtil.release(ch.readOutbound());
            ch.finishAndReleaseAll();
        }
        String line = out.toString(StandardCharsets.UTF_8).trim();
        assertEquals(1, line.split("\n").length, line);
        for (String field : new String[] {"\"id\":\"req-1\"", "\"client\":\"203.0.113.7\"", "\"method\":\"POST\"",
                "\"host\":\"shop.test\"", "\"path\":\"/a\\\"b\"", "\"status\":429", "\"bytesIn\":5", "\"bytesOut\":17",
                "\"totalMs\":42", "\"cluster\":null", "\"attempts\":0", "\"refused\":\"ip\""}) {
            assertTrue(line.contains(field), field + " missing from " + line);
        }
        assertTrue(line.startsWith("{\"ts\":") && line.endsWith("}"), line);
    }
}
