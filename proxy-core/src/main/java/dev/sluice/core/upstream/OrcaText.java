package dev.sluice.core.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Reads ORCA's text form of the {@code endpoint-load-metrics} header, the one Envoy and gRPC read:
 * {@code TEXT key=value, key=value}, values decimal numbers. Known keys are {@code cpu_utilization},
 * {@code application_utilization}, {@code rps_fractional}, {@code eps} and
 * {@code named_metrics.rif} / {@code named_metrics.latency_ms}; others are skipped. A value that is
 * not a number, or a form other than TEXT (JSON, binary), leaves the node's report unchanged.
 * Parses in place, without allocating. Stateless.
 */
public final class OrcaText {

    public static final AsciiString HEADER = AsciiString.cached("endpoint-load-metrics");

    private OrcaText() {
    }

    /** Removes the header from {@code headers}, storing a valid TEXT value in {@code into}; whether one was stored. */
    public static boolean take(HttpHeaders headers, LoadReport into, long nowNanos) {
        String value = headers.get(HEADER);
        if (value == null) {
            return false;
        }
        headers.remove(HEADER);
        return parse(value, into, nowNanos);
    }

    /** Parses one header value into {@code into}; false (and nothing stored) unless it is a valid TEXT report. */
    public static boolean parse(CharSequence v, LoadReport into, long nowNanos) {
        int n = v.length();
        int i = skipSpaces(v, 0);
        if (!regionIs(v, i, "TEXT") || i + 4 >= n || v.charAt(i + 4) != ' ') {
            return false;
        }
        i += 5;
        double cpu = -1;
        double app = -1;
        double rps = -1;
        double eps = -1;
        double rif = -1;
        double latency = -1;
        while (true) {
            i = skipSpaces(v, i);
            if (i >= n) {
                break;
            }
            int eq = i;
            while (eq < n && v.charAt(eq) != '=' && v.charAt(eq) != ',') {
                eq++;
            }
            if (eq >= n || v.charAt(eq) != '=') {
                return false;
            }
            int end = eq + 1;
            while (end < n && v.charAt(end) != ',') {
                end++;
            }
            double x = number(v, eq + 1, end);
            if (Double.isNaN(x)) {
                return false;
            }
            int keyEnd = trimEnd(v, i, eq);
            if (is(v, i, keyEnd, "cpu_utilization")) {
                cpu = x;
            } else if (is(v, i, keyEnd, "application_utilization")) {
                app = x;
            } else if (is(v, i, keyEnd, "rps_fractional")) {
                rps = x;
            } else if (is(v, i, keyEnd, "eps")) {
                eps = x;
            } else if (is(v, i, keyEnd, "named_metrics.rif")) {
                rif = x;
            } else if (is(v, i, keyEnd, "named_metrics.latency_ms")) {
                latency = x;
            }
            i = end + 1;
        }
        into.update(app > 0 ? app : Math.max(cpu, 0), Math.max(rps, 0), Math.max(eps, 0), rif, latency, nowNanos);
        return true;
    }

    /** A non-negative decimal ({@code 12}, {@code 0.25}, {@code 3.}) between spaces, or NaN. */
    static double number(CharSequence v, int from, int to) {
        int i = skipSpaces(v, from);
        int end = trimEnd(v, i, to);
        if (i >= end) {
            return Double.NaN;
        }
        long digits = 0;
        int scale = 0;
        boolean dot = false;
        int count = 0;
        for (; i < end; i++) {
            char c = v.charAt(i);
            if (c == '.' && !dot) {
                dot = true;
            } else if (c >= '0' && c <= '9') {
                if (++count > 15) {
                    return Double.NaN; // beyond a double's exact digits: not a load figure
                }
                digits = digits * 10 + (c - '0');
                scale += dot ? 1 : 0;
            } else {
                return Double.NaN;
            }
        }
        return count == 0 ? Double.NaN : digits / Math.pow(10, scale);
    }

    private static int skipSpaces(CharSequence v, int i) {
        while (i < v.length() && v.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int trimEnd(CharSequence v, int from, int to) {
        while (to > from && v.charAt(to - 1) == ' ') {
            to--;
        }
        return to;
    }

    private static boolean regionIs(CharSequence v, int at, String s) {
        return at + s.length() <= v.length() && is(v, at, at + s.length(), s);
    }

    private static boolean is(CharSequence v, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (v.charAt(from + k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
