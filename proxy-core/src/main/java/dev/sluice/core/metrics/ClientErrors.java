package dev.sluice.core.metrics;

import dev.sluice.core.ratelimit.GcraBucket;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Protocol mistakes clients make, counted by kind (the HTTP/2 error code Sluice answered them
 * with, or a failed TLS handshake, or plain HTTP sent to a TLS port), and the permits to log them: a client's mistake is worth one line, never a stack trace,
 * and at most {@link #LINES_PER_SECOND} lines a second whatever the number of clients, so a
 * conformance run or an attack cannot flood the log. One instance per server; lock-free.
 */
public final class ClientErrors {

    /** Log lines about client mistakes allowed per second, all connections together (burst twice that). */
    public static final int LINES_PER_SECOND = 10;

    private static final Http2Error[] CODES = Http2Error.values();
    /** A TLS handshake that failed (no common protocol or cipher, an unknown certificate, a broken record). */
    public static final String TLS_HANDSHAKE = "tls_handshake";
    /** Plain HTTP sent to a TLS listener. */
    public static final String TLS_PLAINTEXT = "tls_plaintext";
    /** Every kind, as {@link #kind} names it, then the TLS ones (for the metrics). */
    public static final List<String> KINDS;

    static {
        String[] names = new String[CODES.length + 2];
        for (int i = 0; i < CODES.length; i++) {
            names[i] = kind(CODES[i]);
        }
        names[CODES.length] = TLS_HANDSHAKE;
        names[CODES.length + 1] = TLS_PLAINTEXT;
        KINDS = List.of(names);
    }

    private final LongAdder[] counts = new LongAdder[KINDS.size()];
    private final LongAdder suppressed = new LongAdder();
    private final GcraBucket lines;

    public ClientErrors(long nowNanos) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        lines = new GcraBucket(LINES_PER_SECOND, 2 * LINES_PER_SECOND, nowNanos);
    }

    /** {@code PROTOCOL_ERROR} is {@code protocol_error}. */
    public static String kind(Http2Error code) {
        return code.name().toLowerCase(Locale.ROOT);
    }

    public void count(Http2Error code) {
        counts[code.ordinal()].increment();
    }

    /** A mistake of one of the {@link #KINDS} that is not an HTTP/2 code ({@link #TLS_HANDSHAKE}, {@link #TLS_PLAINTEXT}). */
    public void count(String kind) {
        counts[KINDS.indexOf(kind)].increment();
    }

    /** Mistakes of {@code kind} so far. */
    public long get(String kind) {
        return counts[KINDS.indexOf(kind)].sum();
    }

    /** Whether a line may be logged now; a refused line is counted as suppressed. */
    public boolean mayLog(long nowNanos) {
        if (lines.tryAcquire(nowNanos)) {
            return true;
        }
        suppressed.increment();
        return false;
    }

    /** Lines not logged because too many came at once. */
    public long suppressed() {
        return suppressed.sum();
    }
}
