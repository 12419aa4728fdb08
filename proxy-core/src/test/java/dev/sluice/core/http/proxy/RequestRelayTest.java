package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.http1.FramingException;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestRelayTest {

    private final RecordingLease lease = new RecordingLease();
    private final RequestRelay relay = new RequestRelay(10);
    private final Retrier retrier = new Retrier(bound -> 0);
    private final List<Node> nodes = Nodes.withWeights(1, 1);
    private final Cluster cluster = new Cluster(Nodes.cluster("{ name: c, retries: { attempts: 1, retryOn: [ reset ] } }"), nodes,
            new DynamicRoundRobin(), new AtomicInteger(), 0);

    private static HttpRequest put() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/x");
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void partsGoUpAsTheyComeAndTheLastEndsTheRequest() {
        HttpRequest head = put();
        retrier.begin(cluster, nodes.get(0), head, 0);
        relay.begin(head);
        relay.send(head, retrier, lease);
        assertFalse(relay.done());
        assertTrue(relay.part(new DefaultHttpContent(text("hello")), retrier, lease));
        assertTrue(relay.part(new DefaultLastHttpContent(text("!")), retrier, lease));
        assertTrue(relay.done());
        assertEquals(3, lease.written.size());
        assertEquals(List.of(true, true, true), lease.flushes, "each part is flushed as it comes: nothing is aggregated");
        assertFalse(head.headers().contains(RequestRelay.ATTEMPT), "the first attempt is not marked");
        lease.releaseAll();
        retrier.clear();
    }

    @Test
    void aBodyOverTheLimitIsRefusedAndReleased() {
        HttpRequest head = put();
        retrier.begin(cluster, nodes.get(0), head, 0);
        relay.begin(head);
        HttpContent big = new DefaultHttpContent(text("more than ten"));
        assertFalse(relay.part(big, retrier, lease));
        assertEquals(0, big.refCnt());
        assertEquals(Failure.BODY_TOO_LARGE, relay.refusal());
        assertEquals("request body exceeds 10 bytes (maxRequestBodyBytes)", relay.refusalReason());
        retrier.clear();
    }

    @Test
    void aPartTheDecoderCouldNotFrameIsRefusedByItsStatus() {
        relay.begin(put());
        HttpContent bad = new DefaultHttpContent(Unpooled.buffer(0));
        bad.setDecoderResult(DecoderResult.failure(new FramingException(HttpResponseStatus.BAD_REQUEST, "bad chunk size")));
        assertFalse(relay.part(bad, retrier, lease));
        assertEquals(Failure.MALFORMED_BODY, relay.refusal());
        assertTrue(relay.refusalReason().startsWith("malformed request body: "), relay.refusalReason());

        HttpContent huge = new DefaultHttpContent(Unpooled.buffer(0));
        huge.setDecoderResult(DecoderResult.failure(new FramingException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "chunk too big")));
        assertFalse(relay.part(huge, retrier, lease));
        assertEquals(Failure.BODY_TOO_LARGE, relay.refusal());
    }

    @Test
    void aReplaySendsTheKeptRequestWholeAndMarksTheAttempt() {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        retrier.begin(cluster, nodes.get(0), head, 0);
        relay.begin(head);
        relay.send(head, retrier, lease);
        relay.part(new DefaultLastHttpContent(text("abc")), retrier, lease);
        lease.releaseAll();
        lease.flushes.clear();

        cluster.retryBudget().recordRequest(0);
        retrier.schedule(cluster, new EmbeddedChannel().eventLoop(), () -> { }, "reset", HttpResponseStatus.BAD_GATEWAY, "reset", "id",
                null, false);
        retrier.sendTo(nodes.get(1));
        HttpRequest again = retrier.nextHead();
        assertTrue(retrier.replaying());
        relay.begin(again);
        relay.send(again, retrier, lease);
        assertTrue(relay.done());
        assertEquals("2", again.headers().get(RequestRelay.ATTEMPT));
        assertEquals(3, lease.written.size(), "head, the kept body, the end");
        assertEquals("abc", ((HttpContent) lease.written.get(1)).content().toString(StandardCharsets.US_ASCII));
        assertTrue(lease.written.get(2) instanceof LastHttpContent);
        assertEquals(List.of(false, false, true), lease.flushes, "written together, flushed once");
        lease.releaseAll();
        retrier.clear();
    }
}
