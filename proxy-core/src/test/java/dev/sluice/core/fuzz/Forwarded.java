package dev.sluice.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.RawOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What "forwarded exactly" means for the fuzz test: which headers pass unchanged, and the comparison of a sent and a received request. */
final class Forwarded {

    /** Headers Sluice rewrites or removes on purpose: not compared one to one. */
    private static final Set<String> REWRITTEN = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "upgrade", "te", "transfer-encoding", "content-length", "expect", "host", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-request-id", "via");

    private Forwarded() {
    }

    /** Headers of {@code headers} that must reach the next hop unchanged. */
    static List<String[]> passing(List<String[]> headers) {
        List<String> named = ReferenceRequests.tokens(headers, "connection");
        List<String[]> out = new ArrayList<>();
        for (String[] h : headers) {
            String name = h[0].toLowerCase(Locale.ROOT);
            if (!REWRITTEN.contains(name) && !named.contains(name)) {
                out.add(h);
            }
        }
        return out;
    }

    /** The request the origin got is the one the client sent, as Sluice forwards it. */
    static void same(ReferenceRequests.Request sent, RawOrigin.Received got, String stream) {
        String where = "\nclient sent: " + show(stream) + "\norigin got: " + show(got);
        assertEquals(sent.method(), got.method(), where);
        String target = sent.target();
        String host = sent.header("host");
        if (!target.startsWith("/") && !target.equals("*")) {
            String rest = target.substring(target.indexOf("://") + 3);
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
                end++;
            }
            host = rest.substring(0, end);
            target = end == rest.length() ? "/" : rest.charAt(end) == '?' ? "/" + rest.substring(end) : rest.substring(end);
        }
        assertEquals(target, got.target(), where);
        assertEquals(host == null ? List.of() : List.of(host), got.headers("host"), where);
        assertEquals(sent.body(), got.bodyText(), where);
        List<String> want = new ArrayList<>();
        for (String[] h : passing(sent.headers())) {
            want.add(h[0] + ": " + h[1]);
        }
        List<String> have = new ArrayList<>();
        List<String[]> trailers = new ArrayList<>();
        for (String[] h : got.headers()) {
            if (h[0].startsWith("trailer:")) {
                trailers.add(h);
            } else if (!REWRITTEN.contains(h[0].toLowerCase(Locale.ROOT))) {
                have.add(h[0] + ": " + h[1]);
            }
        }
        assertEquals(want, have, "end-to-end headers" + where);
        assertEquals(sent.trailers().size(), trailers.size(), "trailers" + where);
        boolean chunked = ReferenceRequests.headerCount(sent.headers(), "transfer-encoding") > 0;
        List<String> lengths = got.headers("content-length");
        if (chunked) {
            assertEquals(List.of("chunked"), got.headers("transfer-encoding"), "framing" + where);
            assertEquals(List.of(), lengths, where);
        } else if (ReferenceRequests.headerCount(sent.headers(), "content-length") > 0) {
            assertEquals(List.of(Long.toString(sent.body().length())), lengths, where);
        } else {
            assertEquals(List.of(), lengths, where);
        }
        String xff = ReferenceRequests.value(sent.headers(), "x-forwarded-for");
        List<String> lines = new ArrayList<>();
        for (String[] h : sent.headers()) {
            if (h[0].equalsIgnoreCase("x-forwarded-for")) {
                lines.add(h[1]);
            }
        }
        assertEquals(List.of(xff == null ? "127.0.0.1" : String.join(", ", lines) + ", 127.0.0.1"), got.headers("x-forwarded-for"), where);
    }

    static String show(Object o) {
        String s = o instanceof RawOrigin.Received r ? r.method() + " " + r.target() + " " + r.headers().stream().map(h -> h[0] + "=" + h[1]).toList()
                + " body=" + r.bodyText() : String.valueOf(o);
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
