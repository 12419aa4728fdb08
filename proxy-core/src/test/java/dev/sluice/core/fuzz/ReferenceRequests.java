package dev.sluice.core.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fuzz test's oracle for requests: RFC 9112 read as plainly as possible, with regular
 * expressions over the whole byte stream, written apart from Sluice's codec so the two can be
 * compared. It reads requests one after another and stops at the first one that is not
 * well-formed (by the RFC, and by the rules Sluice adds: no {@code Connection} naming a framing
 * header or Host, only HTTP/1.0 and 1.1, CONNECT refused, an expectation only 100-continue) or not
 * complete. Bytes are ISO-8859-1 chars, one per byte.
 */
final class ReferenceRequests {

    /** One request as a client sent it. */
    record Request(String method, String target, String version, List<String[]> headers, String body, List<String[]> trailers) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        int count(String name) {
            int n = 0;
            for (String[] h : headers) {
                n += h[0].equalsIgnoreCase(name) ? 1 : 0;
            }
            return n;
        }
    }

    /** The well-formed complete requests in order, and why reading stopped after them. */
    record Parse(List<Request> requests, String stop) {
        boolean invalid() {
            return stop.startsWith("invalid");
        }
    }

    private static final String TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
    private static final Pattern REQUEST_LINE = Pattern.compile("(" + TCHAR + "+) ([\\x21-\\x22\\x24-\\x7e]+) (HTTP/1\\.[01])");
    private static final Pattern FIELD = Pattern.compile("(" + TCHAR + "+):[ \\t]*([\\t \\x21-\\x7e\\x80-\\xff]*?)[ \\t]*");
    private static final Pattern CHUNK_LINE = Pattern.compile("0*([0-9a-fA-F]{0,16})((?:[ \\t]*;[ \\t]*" + TCHAR + "+(?:[ \\t]*=[ \\t]*(?:"
            + TCHAR + "+|\"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*\"))?)*)");
    private static final Pattern AUTHORITY = Pattern.compile("(?:\\[[0-9a-fA-F:.]+\\]|(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9a-fA-F]{2})+)(?::[0-9]*)?");
    private static final List<String> FORBIDDEN_TRAILERS = List.of("content-length", "transfer-encoding", "host", "connection",
            "keep-alive", "te", "trailer", "upgrade", "content-type", "content-encoding", "authorization", "cookie", "set-cookie");

    private final int maxHeadBytes;
    private final long maxBodyBytes;

    ReferenceRequests(int maxHeadBytes, long maxBodyBytes) {
        this.maxHeadBytes = maxHeadBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    Parse parse(String s) {
        List<Request> out = new ArrayList<>();
        int at = 0;
        while (true) {
            int headStart = at;
            while (s.startsWith("\r\n", at) || s.startsWith("\n", at)) {
                at += s.startsWith("\r\n", at) ? 2 : 1;
            }
            if (at >= s.length()) {
                return new Parse(out, "end");
            }
            // The head: lines up to an empty one.
            List<String> lines = new ArrayList<>();
            int pos = at;
            while (true) {
                int lf = s.indexOf('\n', pos);
                if (lf < 0) {
                    return new Parse(out, s.length() - headStart > maxHeadBytes ? "invalid: head too large" : "incomplete head");
                }
                String line = line(s, pos, lf);
                pos = lf + 1;
                if (pos - headStart > maxHeadBytes) {
                    return new Parse(out, "invalid: head too large");
                }
                if (line.indexOf('\r') >= 0) {
                    return new Parse(out, "invalid: bare CR");
                }
                if (line.isEmpty()) {
                    break;
                }
                lines.add(line);
            }
            Matcher rl = REQUEST_LINE.matcher(lines.get(0));
            if (!rl.matches()) {
                return new Parse(out, "invalid: request line " + lines.get(0));
            }
            String method = rl.group(1);
            String target = rl.group(2);
            String version = rl.group(3);
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                Matcher f = FIELD.matcher(lines.get(i));
                if (!f.matches()) {
                    return new Parse(out, "invalid: field " + lines.get(i));
                }
                headers.add(new String[] {f.group(1), f.group(2)});
            }
            String problem = headProblem(method, target, version, headers);
            if (problem != null) {
                return new Parse(out, "invalid: " + problem);
            }
            // The body.
            String body = "";
            List<String[]> trailers = new ArrayList<>();
            if (headerCount(headers, "transfer-encoding") > 0) {
                StringBuilder b = new StringBuilder();
                long total = 0;
                while (true) {
                    int lf = s.indexOf('\n', pos);
                    if (lf < 0) {
                        return new Parse(out, s.length() - pos > 4096 ? "invalid: chunk line too long" : "incomplete chunk size");
                    }
                    if (lf == pos || s.charAt(lf - 1) != '\r') {
                        return new Parse(out, "invalid: chunk line without CRLF");
                    }
                    String line = s.substring(pos, lf - 1);
                    Matcher c = CHUNK_LINE.matcher(line);
                    if (line.length() > 4096 || !c.matches() || (c.group(1).isEmpty() && !line.startsWith("0"))) {
                        return new Parse(out, "invalid: chunk line " + line);
                    }
                    if (c.group(1).length() == 16 && Character.digit(c.group(1).charAt(0), 16) >= 8) {
                        return new Parse(out, "invalid: chunk size over 63 bits");
                    }
                    long size = c.group(1).isEmpty() ? 0 : Long.parseUnsignedLong(c.group(1), 16);
                    pos = lf + 1;
                    if (size == 0) {
                        break;
                    }
                    total += size;
                    if (size > maxBodyBytes || total > maxBodyBytes) {
                        return new Parse(out, "invalid: body too large");
                    }
                    if (s.length() - pos < size + 2) {
                        return new Parse(out, "incomplete chunk");
                    }
                    b.append(s, pos, (int) (pos + size));
                    pos += (int) size;
                    if (!s.startsWith("\r\n", pos)) {
                        return new Parse(out, "invalid: chunk data without CRLF");
                    }
                    pos += 2;
                }
                int trailerStart = pos;
                while (true) {
                    int lf = s.indexOf('\n', pos);
                    if (lf < 0) {
                        return new Parse(out, "incomplete trailers");
                    }
                    String line = line(s, pos, lf);
                    pos = lf + 1;
                    if (pos - trailerStart > maxHeadBytes) {
                        return new Parse(out, "invalid: trailers too large");
                    }
                    if (line.indexOf('\r') >= 0) {
                        return new Parse(out, "invalid: bare CR in trailers");
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                    Matcher f = FIELD.matcher(line);
                    if (!f.matches()) {
                        return new Parse(out, "invalid: trailer " + line);
                    }
                    if (!FORBIDDEN_TRAILERS.contains(f.group(1).toLowerCase(Locale.ROOT))) {
                        trailers.add(new String[] {f.group(1), f.group(2)});
                    }
                }
                body = b.toString();
            } else if (headerCount(headers, "content-length") == 1) {
                long length = Long.parseLong(value(headers, "content-length"));
                if (length > maxBodyBytes) {
                    return new Parse(out, "invalid: body too large");
                }
                if (s.length() - pos < length) {
                    return new Parse(out, "incomplete body");
                }
                body = s.substring(pos, (int) (pos + length));
                pos += (int) length;
            }
            out.add(new Request(method, target, version, headers, body, trailers));
            at = pos;
            // close wins over keep-alive (RFC 9112 §9.3); HTTP/1.0 closes unless it asks to keep the connection
            List<String> options = tokens(headers, "connection");
            boolean close = options.contains("close") || (version.equals("HTTP/1.0") && !options.contains("keep-alive"));
            if (close) {
                return new Parse(out, "closed by the client");
            }
        }
    }

    /** What Sluice (and the RFC) refuses in a complete head, or null. */
    private static String headProblem(String method, String target, String version, List<String[]> headers) {
        if (method.equals("CONNECT")) {
            return "CONNECT";
        }
        boolean absolute = target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8);
        if (!target.startsWith("/") && !(target.equals("*") && method.equals("OPTIONS")) && !absolute) {
            return "target form";
        }
        if (absolute) {
            String rest = target.substring(target.indexOf("://") + 3);
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
                end++;
            }
            if (!AUTHORITY.matcher(rest.substring(0, end)).matches()) {
                return "authority";
            }
        } else {
            int hosts = headerCount(headers, "host");
            if (hosts > 1 || (hosts == 0 && version.equals("HTTP/1.1"))) {
                return "Host count";
            }
            if (hosts == 1 && !AUTHORITY.matcher(value(headers, "host")).matches()) {
                return "Host value";
            }
        }
        int te = headerCount(headers, "transfer-encoding");
        int cl = headerCount(headers, "content-length");
        if (te > 0 && (version.equals("HTTP/1.0") || cl > 0 || te > 1 || !value(headers, "transfer-encoding").equalsIgnoreCase("chunked"))) {
            return "Transfer-Encoding";
        }
        if (cl > 1 || (cl == 1 && !value(headers, "content-length").matches("0*[0-9]{1,18}"))) {
            return "Content-Length";
        }
        for (String token : tokens(headers, "connection")) {
            if (token.equals("content-length") || token.equals("transfer-encoding") || token.equals("host")) {
                return "Connection names " + token;
            }
        }
        String expect = value(headers, "expect");
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            return "expectation";
        }
        return null;
    }

    static int headerCount(List<String[]> headers, String name) {
        int n = 0;
        for (String[] h : headers) {
            n += h[0].equalsIgnoreCase(name) ? 1 : 0;
        }
        return n;
    }

    static String value(List<String[]> headers, String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    /** The comma-separated tokens of every line of a header, lower case, parameters dropped. */
    static List<String> tokens(List<String[]> headers, String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                for (String t : h[1].split(",")) {
                    int semi = t.indexOf(';');
                    String token = (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
                    if (!token.isEmpty()) {
                        out.add(token);
                    }
                }
            }
        }
        return out;
    }

    /** The line from {@code pos} to the LF at {@code lf}, without the CR before it. */
    static String line(String s, int pos, int lf) {
        return s.substring(pos, lf > pos && s.charAt(lf - 1) == '\r' ? lf - 1 : lf);
    }
}
