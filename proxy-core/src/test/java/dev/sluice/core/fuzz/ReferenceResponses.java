package dev.sluice.core.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fuzz test's oracle for responses: what a strict reader makes of the bytes an origin sent for
 * one request (RFC 9112, plus Sluice's rules: HTTP/1.1 or 1.0 only, no 101, no Content-Length
 * beside Transfer-Encoding, no transfer coding but chunked, one Content-Length). Interim (1xx)
 * responses before the final one are skipped, as Sluice drops them. Written apart from Sluice's
 * codec so the two can be compared.
 */
final class ReferenceResponses {

    /** The final response, and whether its end is known only by the connection closing. */
    record Response(int status, List<String[]> headers, String body, boolean untilClose) {
    }

    /** The response, or null with why not. */
    record Parse(Response response, String stop) {
    }

    private static final String TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] ([0-9]{3})(?: [\\t \\x21-\\x7e\\x80-\\xff]*)?");
    private static final Pattern FIELD = Pattern.compile("(" + TCHAR + "+):[ \\t]*([\\t \\x21-\\x7e\\x80-\\xff]*?)[ \\t]*");
    private static final Pattern CHUNK_LINE = Pattern.compile("0*([0-9a-fA-F]{0,16})((?:[ \\t]*;[ \\t]*" + TCHAR + "+(?:[ \\t]*=[ \\t]*(?:"
            + TCHAR + "+|\"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*\"))?)*)");

    private ReferenceResponses() {
    }

    /** The response to a request ({@code head}: a HEAD) in {@code s}, the whole of what the origin sent before closing or not. */
    static Parse parse(String s, boolean head) {
        int pos = 0;
        while (true) {
            List<String> lines = new ArrayList<>();
            while (true) {
                int lf = s.indexOf('\n', pos);
                if (lf < 0) {
                    return new Parse(null, "incomplete head");
                }
                String line = ReferenceRequests.line(s, pos, lf);
                pos = lf + 1;
                if (line.indexOf('\r') >= 0) {
                    return new Parse(null, "bare CR");
                }
                if (line.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue; // an empty line before a status line
                    }
                    break;
                }
                lines.add(line);
            }
            Matcher sl = STATUS.matcher(lines.get(0));
            if (!sl.matches()) {
                return new Parse(null, "status line " + lines.get(0));
            }
            int status = Integer.parseInt(sl.group(1));
            if (status < 100) {
                return new Parse(null, "status " + status);
            }
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                Matcher f = FIELD.matcher(lines.get(i));
                if (!f.matches()) {
                    return new Parse(null, "field " + lines.get(i));
                }
                headers.add(new String[] {f.group(1), f.group(2)});
            }
            if (status == 101) {
                return new Parse(null, "101");
            }
            if (status < 200) {
                continue; // interim: the final response follows
            }
            int te = ReferenceRequests.headerCount(headers, "transfer-encoding");
            int cl = ReferenceRequests.headerCount(headers, "content-length");
            if (te > 0 && (cl > 0 || te > 1 || !ReferenceRequests.value(headers, "transfer-encoding").equalsIgnoreCase("chunked"))) {
                return new Parse(null, "Transfer-Encoding");
            }
            if (cl > 1 || (cl == 1 && !ReferenceRequests.value(headers, "content-length").matches("0*[0-9]{1,18}"))) {
                return new Parse(null, "Content-Length");
            }
            if (head || status == 204 || status == 304) {
                return new Parse(new Response(status, headers, "", false), "ok");
            }
            if (te > 0) {
                StringBuilder body = new StringBuilder();
                while (true) {
                    int lf = s.indexOf('\n', pos);
                    if (lf < 0) {
                        return new Parse(null, "incomplete chunk size");
                    }
                    if (lf == pos || s.charAt(lf - 1) != '\r') {
                        return new Parse(null, "chunk line without CRLF");
                    }
                    String line = s.substring(pos, lf - 1);
                    Matcher c = CHUNK_LINE.matcher(line);
                    if (!c.matches() || (c.group(1).isEmpty() && !line.startsWith("0"))
                            || (c.group(1).length() == 16 && Character.digit(c.group(1).charAt(0), 16) >= 8)) {
                        return new Parse(null, "chunk line " + line);
                    }
                    long size = c.group(1).isEmpty() ? 0 : Long.parseUnsignedLong(c.group(1), 16);
                    pos = lf + 1;
                    if (size == 0) {
                        break;
                    }
                    if (s.length() - pos < size + 2) {
                        return new Parse(null, "incomplete chunk");
                    }
                    body.append(s, pos, (int) (pos + size));
                    pos += (int) size;
                    if (!s.startsWith("\r\n", pos)) {
                        return new Parse(null, "chunk data without CRLF");
                    }
                    pos += 2;
                }
                while (true) {
                    int lf = s.indexOf('\n', pos);
                    if (lf < 0) {
                        return new Parse(null, "incomplete trailers");
                    }
                    String line = ReferenceRequests.line(s, pos, lf);
                    pos = lf + 1;
                    if (line.indexOf('\r') >= 0) {
                        return new Parse(null, "bare CR in trailers");
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                    if (!FIELD.matcher(line).matches()) {
                        return new Parse(null, "trailer " + line);
                    }
                }
                return new Parse(new Response(status, headers, body.toString(), false), "ok");
            }
            if (cl == 1) {
                long length = Long.parseLong(ReferenceRequests.value(headers, "content-length"));
                if (s.length() - pos < length) {
                    return new Parse(null, "incomplete body");
                }
                return new Parse(new Response(status, headers, s.substring(pos, (int) (pos + length)), false), "ok");
            }
            return new Parse(new Response(status, headers, s.substring(pos), true), "ok");
        }
    }
}
