package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.http.RequestContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseRelayTest {

    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = client.pipeline().firstContext();
    private final RequestContext rc = new RequestContext("10.1.1.1", false, false, 0);
    private final ResponseRelay relay = new ResponseRelay(ctx, rc);
    private final RecordingLease lease = new RecordingLease();

    @AfterEach
    void drain() {
        for (Object o; (o = client.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        client.finishAndReleaseAll();
    }

    @Test
    void interimResponsesAreDroppedAndReleased() {
        relay.begin();
        DefaultFullHttpResponse cont = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.buffer(1));
        assertEquals(ResponseRelay.Part.DROPPED, relay.sort(cont));
        assertEquals(0, cont.refCnt());

        // An interim head in parts: its rest is dropped too, up to its end.
        assertEquals(ResponseRelay.Part.DROPPED, relay.sort(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PROCESSING)));
        assertEquals(ResponseRelay.Part.DROPPED, relay.sort(new DefaultLastHttpContent()));
        assertEquals(ResponseRelay.Part.HEAD, relay.sort(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
        HttpContent body = new DefaultHttpContent(Unpooled.buffer(1));
        assertEquals(ResponseRelay.Part.BODY, relay.sort(body));
        body.release();
        assertFalse(relay.started(), "sorting is not passing on");
    }

    @Test
    void aMalformedPartIsReleasedAndNeverPassedOn() {
        relay.begin();
        HttpContent bad = new DefaultHttpContent(Unpooled.buffer(1));
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("not HTTP")));
        assertEquals(ResponseRelay.Part.MALFORMED, relay.sort(bad));
        assertEquals(0, bad.refCnt());
        assertNull(client.readOutbound());
    }

    @Test
    void theFinalHeadGetsForwardingHeadersAndTheResponseStarts() {
        relay.begin();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("connection", "close");
        relay.start(head, dev.sluice.core.testing.Nodes.withWeights(1).get(0));
        assertTrue(relay.started());
        assertFalse(relay.keepAlive(), "the upstream closes after this response");
        assertEquals("1.1 sluice", head.headers().get("via"));
        relay.write(head, lease);
        relay.last();
        relay.end(LastHttpContent.EMPTY_LAST_CONTENT, false);
        assertTrue(relay.done());
        assertEquals(head, client.readOutbound());
        assertEquals(LastHttpContent.EMPTY_LAST_CONTENT, client.readOutbound());
        assertNull(lease.reading, "a writable client never pauses the upstream");
    }

    @Test
    void aClientThatCannotTakeMorePausesTheUpstream() {
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        relay.begin();
        relay.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[64])), lease);
        assertFalse(client.isWritable());
        assertEquals(Boolean.FALSE, lease.reading);
        client.flushOutbound(); // the write completes before the channel closes
    }
}
