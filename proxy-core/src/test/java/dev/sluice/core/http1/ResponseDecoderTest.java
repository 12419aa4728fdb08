package dev.sluice.core.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseDecoderTest {

    private final ArrayDeque<HttpMethod> requests = new ArrayDeque<>();

    private EmbeddedChannel channel(HttpMethod... sent) {
        requests.addAll(List.of(sent));
        return new EmbeddedChannel(new ResponseDecoder(4096, requests));
    }

    /** CSV cases spell CR, LF, NUL and a quote as \\r, \\n, \\0 and \\q. */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\u0000").replace("\\q", "\"");
    }

    private static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(unescape(s), StandardCharsets.ISO_8859_1));
    }

    /** Heads as "status", bodies as "part:..."/"last:..." (with the failure), in order; everything released. */
    private static List<String> read(EmbeddedChannel ch, boolean close) {
        if (close) {
            ch.finish();
        }
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof HttpResponse r) {
                out.add(String.valueOf(r.status().code()) + (m instanceof FullHttpResponse ? " full" : ""));
            } else if (m instanceof HttpContent c) {
                out.add((c instanceof LastHttpContent ? "last:" : "part:") + c.content().toString(StandardCharsets.ISO_8859_1)
                        + (c.decoderResult().isFailure() ? " failed:" + c.decoderResult().cause().getMessage() : ""));
            }
            ReferenceCountUtil.release(m);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void headAnd204And304HaveNoBodyWhateverTheirLength() {
        EmbeddedChannel ch = channel(HttpMethod.HEAD, HttpMethod.GET, HttpMethod.GET, HttpMethod.GET);
        write(ch, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(List.of("200 full", "204 full", "304 full", "200", "last:ok"), read(ch, false));
        assertTrue(requests.isEmpty());
    }

    /** A HEAD, 204 or 304 response has no body, but its framing fields are shown to the client: they must be sound too. */
    @Test
    void framingFieldsAreCheckedWhereNoBodyFollows() {
        EmbeddedChannel ch = channel(HttpMethod.HEAD);
        write(ch, "HTTP/1.1 200 OK\r\nContent-Length: 24, 24\r\n\r\n");
        assertEquals(List.of("last: failed:invalid Content-Length"), read(ch, false));
    }

    @Test
    void interimResponsesDoNotTakeTheRequest() {
        EmbeddedChannel ch = channel(HttpMethod.HEAD);
        write(ch, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertEquals(List.of("100 full", "200 full"), read(ch, false));
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        write(ch, "HTTP/1.0 200 OK\r\n\r\nsome");
        write(ch, "thing");
        assertEquals(List.of("200", "part:some", "part:thing", "last:"), read(ch, true));
    }

    @Test
    void aTruncatedBodyFails() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        write(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        assertEquals(List.of("200", "part:abc", "last: failed:connection closed inside the response body"), read(ch, true));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CL and TE|HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|Content-Length together with Transfer-Encoding",
        "two lengths|HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n|more than one Content-Length",
        "gzip coding|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|Transfer-Encoding other than chunked",
        "101|HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n|101 Switching Protocols to a request that asked for no upgrade",
        "no status|HTTP/1.1 OK\\r\\n\\r\\n|malformed status line",
        "HTTP/2|HTTP/2 200\\r\\n\\r\\n|malformed status line",
        "obs-fold|HTTP/1.1 200 OK\\r\\nX: a\\r\\n b\\r\\n\\r\\n|obs-fold (a header line continued on the next line)",
        "chunk size wraps|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n10000000000000000\\r\\n|chunk size too large",
    })
    void anythingThatCannotBeFramedForCertainFails(String name, String response, String reason) {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        write(ch, response + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        List<String> out = read(ch, false);
        assertEquals("last: failed:" + reason, out.get(out.size() - 1), out.toString());
        assertFalse(out.contains("200 full"), "nothing after a failure is read: " + out);
    }

    @Test
    void aStatusLineWithoutReasonIsFine() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        write(ch, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of("200 full"), read(ch, false));
        assertInstanceOf(ArrayDeque.class, requests);
    }
}
