package dev.sluice.core.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestDecoderTest {

    private final List<HttpMethod> methods = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new RequestDecoder(1024, 256, 100, methods::add));
    }

    /** CSV cases spell CR, LF, NUL and a quote as \\r, \\n, \\0 and \\q. */
    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\u0000").replace("\\q", "\"");
    }

    private static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(unescape(s), StandardCharsets.ISO_8859_1));
    }

    /** Every message read, bodies as text; the channel is finished and every buffer released. */
    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof HttpContent c && !(m instanceof HttpRequest)) {
                out.add((c instanceof LastHttpContent ? "last:" : "part:") + c.content().toString(StandardCharsets.ISO_8859_1)
                        + (c.decoderResult().isFailure() ? " failed:" + c.decoderResult().cause().getMessage() : ""));
                ReferenceCountUtil.release(m);
            } else {
                out.add(m);
                ReferenceCountUtil.release(m);
            }
        }
        assertFalse(ch.finishAndReleaseAll());
        return out;
    }

    @Test
    void aRequestWithoutABodyIsOneFullMessageAndPipelinedOnesFollow() {
        EmbeddedChannel ch = channel();
        write(ch, "\r\nGET /a HTTP/1.1\r\nHost: t\r\nX-Mixed-Case: v\r\n\r\nHEAD /b HTTP/1.0\nHost: t\n\n");
        List<Object> out = drain(ch);
        assertEquals(2, out.size());
        FullHttpRequest a = assertInstanceOf(FullHttpRequest.class, out.get(0));
        assertEquals("/a", a.uri());
        assertEquals("v", a.headers().get("x-mixed-case"));
        FullHttpRequest b = assertInstanceOf(FullHttpRequest.class, out.get(1));
        assertEquals(HttpVersion.HTTP_1_0, b.protocolVersion());
        assertEquals(List.of(HttpMethod.GET, HttpMethod.HEAD), methods);
    }

    @Test
    void aHeadTrickledByteByByteIsReadOnce() {
        EmbeddedChannel ch = channel();
        for (char c : "POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc".toCharArray()) {
            write(ch, String.valueOf(c));
        }
        List<Object> out = drain(ch);
        assertInstanceOf(HttpRequest.class, out.get(0));
        assertEquals(List.of("part:a", "part:b", "last:c"), out.subList(1, 4));
    }

    @Test
    void chunkedBodiesWithExtensionsAndTrailers() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "003;a=b\r\nabc\r\n2 ; q=\"x;y\"\r\nde\r\n0\r\nX-T: 1\r\nContent-Length: 9\r\n\r\n");
        Object m;
        List<String> parts = new ArrayList<>();
        LastHttpContent last = null;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof LastHttpContent l) {
                last = l;
            } else if (m instanceof HttpContent c) {
                parts.add(c.content().toString(StandardCharsets.US_ASCII));
            }
            if (m != last) {
                ReferenceCountUtil.release(m);
            }
        }
        assertEquals(List.of("abc", "de"), parts);
        assertEquals("1", last.trailingHeaders().get("x-t"));
        assertNull(last.trailingHeaders().get("content-length"), "framing fields are never taken from trailers");
        last.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no colon|GET / HTTP/1.1\\r\\nHost: t\\r\\nX\\r\\n\\r\\n|400|header line without colon",
        "space before colon|GET / HTTP/1.1\\r\\nHost : t\\r\\n\\r\\n|400|invalid header name",
        "obs-fold|GET / HTTP/1.1\\r\\nHost: t\\r\\nX: a\\r\\n b\\r\\n\\r\\n|400|obs-fold (a header line continued on the next line)",
        "bare CR|GET / HTTP/1.1\\r\\nX: a\\rb\\r\\n\\r\\n|400|bare CR in a header",
        "NUL|GET / HTTP/1.1\\r\\nX: a\\0b\\r\\n\\r\\n|400|control character in a header value",
        "two spaces|GET  / HTTP/1.1\\r\\n\\r\\n|400|malformed request line",
        "no version|GET /\\r\\n\\r\\n|400|malformed request line",
        "lower-case version|GET / http/1.1\\r\\n\\r\\n|400|malformed request line",
        "HTTP/1.2|GET / HTTP/1.2\\r\\n\\r\\n|505|only HTTP/1.1 and HTTP/1.0 are served here",
        "HTTP/2.0|GET / HTTP/2.0\\r\\n\\r\\n|505|only HTTP/1.1 and HTTP/1.0 are served here",
        "space in target|GET /a b HTTP/1.1\\r\\n\\r\\n|400|malformed request line",
        "fragment|GET /a#b HTTP/1.1\\r\\n\\r\\n|400|fragment in the request target",
        "relative target|GET a/b HTTP/1.1\\r\\n\\r\\n|400|invalid request target",
        "asterisk with GET|GET * HTTP/1.1\\r\\n\\r\\n|400|invalid request target",
        "CONNECT|CONNECT a:443 HTTP/1.1\\r\\n\\r\\n|405|CONNECT is not supported",
        "bad method|G@T / HTTP/1.1\\r\\n\\r\\n|400|malformed request line",
        "CL and TE|POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|Content-Length together with Transfer-Encoding",
        "TE gzip|POST / HTTP/1.1\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|400|Transfer-Encoding other than chunked",
        "TE twice|POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|Transfer-Encoding other than chunked",
        "TE in 1.0|POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400|Transfer-Encoding in an HTTP/1.0 request",
        "CL list|POST / HTTP/1.1\\r\\nContent-Length: 5, 5\\r\\n\\r\\n|400|invalid Content-Length",
        "CL twice|POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\nContent-Length: 5\\r\\n\\r\\n|400|more than one Content-Length",
        "CL sign|POST / HTTP/1.1\\r\\nContent-Length: +5\\r\\n\\r\\n|400|invalid Content-Length",
        "CL 19 digits|POST / HTTP/1.1\\r\\nContent-Length: 1000000000000000000\\r\\n\\r\\n|400|invalid Content-Length",
    })
    void malformedHeadsAreRefusedAndNothingAfterThemIsRead(String name, String head, int status, String reason) {
        EmbeddedChannel ch = channel();
        write(ch, head + "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
        List<Object> out = drain(ch);
        assertEquals(1, out.size(), out.toString());
        MalformedRequest m = assertInstanceOf(MalformedRequest.class, out.get(0));
        assertEquals(status, m.status().code());
        assertEquals(reason, m.reason());
        assertTrue(methods.isEmpty());
    }

    @Test
    void leadingZerosInContentLengthAreFine() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nContent-Length: 000000000000000000000000002\r\n\r\nok");
        List<Object> out = drain(ch);
        assertEquals(List.of("last:ok"), out.subList(1, 2));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "2^64|10000000000000000|chunk size too large",
        "2^63|8000000000000000|chunk size too large",
        "empty|;a=b|malformed chunk-size line",
        "space, no extension|'5 '|malformed chunk-size line",
        "bad extension value|5;a=b\\qc|malformed chunk-size line",
        "unterminated quote|5;a=\\qbc|malformed chunk-size line",
        "no CR|5\\n|chunk-size line not ended by CRLF",
        "over the body limit|65|chunk of 101 bytes exceeds the body limit",
    })
    void malformedChunkSizesFailTheBody(String name, String sizeLine, String reason) {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + sizeLine + (sizeLine.endsWith("\\n") ? "" : "\r\n")
                + "GET /after HTTP/1.1\r\n\r\n");
        List<Object> out = drain(ch);
        assertEquals(2, out.size(), out.toString());
        assertEquals("last: failed:" + reason, out.get(1));
    }

    @Test
    void theLimitCountsEveryChunk() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + "x".repeat(50) + "\r\n33\r\n");
        List<Object> out = drain(ch);
        Object last = out.get(out.size() - 1);
        assertEquals("last: failed:chunk of 51 bytes exceeds the body limit", last);
    }

    @Test
    void chunkDataMustEndWithCrlf() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n");
        List<Object> out = drain(ch);
        assertEquals("last: failed:chunk data not followed by CRLF", out.get(out.size() - 1));
    }

    @Test
    void limitsGive414And431() {
        EmbeddedChannel line = channel();
        write(line, "GET /" + "a".repeat(300) + " HTTP/1.1\r\n\r\n");
        assertEquals(414, ((MalformedRequest) drain(line).get(0)).status().code());
        EmbeddedChannel head = channel();
        write(head, "GET / HTTP/1.1\r\nX: " + "a".repeat(1100) + "\r\n\r\n");
        assertEquals(431, ((MalformedRequest) drain(head).get(0)).status().code());
        EmbeddedChannel trickled = channel();
        write(trickled, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < 1100; i++) {
            write(trickled, "a");
        }
        assertEquals(431, ((MalformedRequest) drain(trickled).get(0)).status().code());
    }
}
