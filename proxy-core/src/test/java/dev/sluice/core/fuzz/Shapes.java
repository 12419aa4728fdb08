package dev.sluice.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.List;

/**
 * Builds HTTP/1.1 byte streams from the fuzzer's input: mostly well-formed messages whose every
 * part (line ends, separators, framing fields, chunk sizes and extensions, trailers) may be swapped
 * for one of the shapes parsers are known to disagree on, plus raw bytes where the fuzzer wants
 * them. Every choice is read from the input, so coverage guidance steers them all; an exhausted
 * input reads as zeros, which pick the well-formed choice. Stateless.
 */
final class Shapes {

    private Shapes() {
    }

    static final List<String> METHODS = List.of("GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "G@T", "get", "CONNECT", "");
    static final List<String> TARGETS = List.of("/", "/a/b?c=d", "/%2e%2e/x", "*", "http://h.example/x", "https://h.example",
            "/a b", "/a\u0001b", "/a#f", "/\u00ff", "a/b", "http:///x", "/" + "p".repeat(300));
    static final List<String> VERSIONS = List.of("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ");
    static final List<String> EOLS = List.of("\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n");
    static final List<String> SEPARATORS = List.of(" ", " ", " ", "  ", "\t");
    static final List<String> HEADERS = List.of(
            "Host: t", "Host: u.example", "Host: t:80", "Host: a b", "Host:", "Host: user@t",
            "Content-Length: %d", "Content-Length: %d, %d", "Content-Length: +%d", "Content-Length: 0%d", "Content-Length:%d ",
            "Transfer-Encoding: chunked", "Transfer-Encoding: Chunked", "Transfer-Encoding: gzip, chunked",
            "Transfer-Encoding: chunked, identity", "Transfer-Encoding:\tchunked",
            "Connection: close", "Connection: keep-alive", "Connection: content-length", "Connection: x-a, Transfer-Encoding",
            "Connection: host", "Connection: te, x-a", "X-A: 1", "TE: trailers", "TE: gzip", "Upgrade: h2c", "Keep-Alive: 5",
            "Expect: 100-continue", "Expect: nothing", "X-Forwarded-For: 1.2.3.4", "X-Request-Id: abc-1", "X-Request-Id: bad id",
            "X-Space : v", " X-Fold: v", "\tfolded", "X-Nul: a\u0000b", "X-Cr: a\rb", "X-Obs: caf\u00e9", "X-Empty:", ":x",
            "X-Tab:\tv\t", "X-Long: " + "v".repeat(200), "Proxy-Authorization: Basic x");
    static final List<String> CHUNK_SIZES = List.of("%x", "%x", "%X", "0000%x", "%x;e=1", "%x ; e = \"q;\\\"\"", "%x;e", "%x;", "%x ",
            "1%016x", "10000000000000000", "8000000000000000", "-%x", "0x%x", "%x\n");
    static final List<String> LAST_CHUNKS = List.of("0", "0", "000", "0;e=1", "00000000000000000", "0 ");

    /** Up to {@code max} bytes of the input as chars 0-255 (the wire is bytes; Java strings are not). */
    static String bytes(FuzzedDataProvider data, int max) {
        return new String(data.consumeBytes(max), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static <T> T pick(FuzzedDataProvider data, List<T> from) {
        return from.get(data.consumeInt(0, from.size() - 1));
    }

    /** A stream of one to three requests, each carrying {@code X-Fuzz-Case: tag-i} first. */
    static String requests(FuzzedDataProvider data, String tag) {
        StringBuilder out = new StringBuilder();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
            request(data, out, tag + "-" + i);
        }
        if (data.consumeBoolean()) {
            out.append(bytes(data, 64)); // raw bytes where the fuzzer wants them
        }
        return out.toString();
    }

    private static void request(FuzzedDataProvider data, StringBuilder out, String id) {
        String eol = data.consumeInt(0, 9) < 9 ? "\r\n" : pick(data, EOLS);
        if (data.consumeInt(0, 15) == 15) {
            out.append(eol); // an empty line before the request line
        }
        String method = data.consumeInt(0, 5) < 5 ? pick(data, METHODS.subList(0, 3)) : pick(data, METHODS);
        String target = data.consumeInt(0, 5) < 5 ? "/r" : pick(data, TARGETS);
        String sep = pick(data, SEPARATORS);
        out.append(method).append(sep).append(target).append(' ').append(pick(data, VERSIONS)).append(eol);
        out.append("X-Fuzz-Case: ").append(id).append(eol);
        String body = bytes(data, 24);
        int framing = data.consumeInt(0, 3); // none, Content-Length, chunked, chosen by the headers below
        boolean host = data.consumeInt(0, 9) < 9;
        if (host) {
            out.append("Host: t").append(eol);
        }
        framing(out, framing, body, eol);
        int extra = data.consumeInt(0, 3);
        for (int h = 0; h < extra; h++) {
            if (data.consumeBoolean()) {
                out.append(String.format(pick(data, HEADERS), body.length(), body.length()));
            } else {
                out.append(bytes(data, 12)).append(':').append(bytes(data, 16));
            }
            out.append(eol);
        }
        out.append(eol);
        if (framing == 1) {
            out.append(body);
        } else if (framing == 2) {
            chunked(data, out, body, eol);
        } else if (framing == 3) {
            out.append(body); // a body nothing announced: the next request's bytes, to a reader that looks for them
        }
    }

    private static void chunked(FuzzedDataProvider data, StringBuilder out, String body, String eol) {
        int at = 0;
        while (at < body.length()) {
            int size = Math.min(body.length() - at, data.consumeInt(1, 8));
            String line = data.consumeInt(0, 5) < 5 ? Integer.toHexString(size) : String.format(pick(data, CHUNK_SIZES), size);
            out.append(line).append("\r\n").append(body, at, at + size).append(data.consumeInt(0, 7) < 7 ? "\r\n" : pick(data, EOLS));
            at += size;
        }
        out.append(data.consumeInt(0, 3) < 3 ? "0" : pick(data, LAST_CHUNKS)).append("\r\n");
        if (data.consumeInt(0, 3) == 3) {
            out.append(data.consumeBoolean() ? "X-Trailer: 1" : pick(data, HEADERS)).append(eol);
        }
        out.append(eol);
    }

    static final List<String> STATUS_LINES = List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content",
            "HTTP/1.1 304 Not Modified", "HTTP/1.1 404", "HTTP/1.1 100 Continue", "HTTP/1.1 101 Switching Protocols", "HTTP/1.2 200 OK",
            "HTTP/2 200", "HTTP/1.1 2000 OK", "HTTP/1.1 200 O\u0001K", "http/1.1 200 OK", "HTTP/1.1  200 OK");
    static final List<String> RESPONSE_HEADERS = List.of("Content-Length: %d", "Content-Length: %d, %d", "Content-Length: x",
            "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Transfer-Encoding: gzip, chunked", "Connection: close",
            "Connection: content-length", "Connection: transfer-encoding", "Connection: x-a", "X-A: 1", "Keep-Alive: 5",
            " X-Fold: v", "X-Nul: a\u0000b", "X-Cr: a\rb", "Set-Cookie: a=b", "X-Obs: caf\u00e9", "Content-Length: %d");

    /**
     * One response (sometimes followed by bytes of a second one, as a desynchronising upstream
     * would send), for a request whose method is {@code method}.
     */
    static String response(FuzzedDataProvider data) {
        StringBuilder out = new StringBuilder();
        String eol = data.consumeInt(0, 9) < 9 ? "\r\n" : pick(data, EOLS);
        out.append(data.consumeInt(0, 3) < 3 ? "HTTP/1.1 200 OK" : pick(data, STATUS_LINES)).append(eol);
        String body = bytes(data, 24);
        int framing = data.consumeInt(0, 2); // none (until close), Content-Length, chunked
        framing(out, framing, body, eol);
        int extra = data.consumeInt(0, 3);
        for (int h = 0; h < extra; h++) {
            out.append(data.consumeBoolean() ? String.format(pick(data, RESPONSE_HEADERS), body.length(), body.length())
                    : bytes(data, 12) + ":" + bytes(data, 16)).append(eol);
        }
        out.append(eol);
        if (framing == 2) {
            chunked(data, out, body, eol);
        } else {
            out.append(body);
        }
        if (data.consumeInt(0, 3) == 3) {
            out.append("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nnot-yours!!"); // a response nobody asked for
        }
        return out.toString();
    }

    /** The framing header {@code framing} names (1 Content-Length, 2 chunked; otherwise none). */
    private static void framing(StringBuilder out, int framing, String body, String eol) {
        if (framing == 1) {
            out.append("Content-Length: ").append(body.length()).append(eol);
        } else if (framing == 2) {
            out.append("Transfer-Encoding: chunked").append(eol);
        }
    }
}
