package dev.sluice.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * What Sluice knows of gRPC (the gRPC over HTTP/2 protocol): a call is a request whose
 * {@code content-type} is {@code application/grpc}; its outcome is the {@code grpc-status}
 * trailer; {@code grpc-timeout} is its deadline; and an answer Sluice gives itself is a
 * trailers-only response with the status an HTTP error means. Stateless.
 */
public final class Grpc {

    public static final AsciiString STATUS = AsciiString.cached("grpc-status");
    public static final AsciiString MESSAGE = AsciiString.cached("grpc-message");
    public static final AsciiString TIMEOUT = AsciiString.cached("grpc-timeout");
    public static final AsciiString CONTENT_TYPE = AsciiString.cached("application/grpc");

    /** grpc-status codes (gRPC's {@code Status.Code}). */
    public static final int OK = 0;
    public static final int UNKNOWN = 2;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int DATA_LOSS = 15;
    public static final int UNAUTHENTICATED = 16;

    private Grpc() {
    }

    /** Whether a request with these headers is a gRPC call ({@code application/grpc}, {@code application/grpc+proto}...). */
    public static boolean isCall(HttpHeaders h) {
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    /**
     * The grpc-status that stands for an HTTP error Sluice answers itself: 429 and 413 are
     * RESOURCE_EXHAUSTED, 502 and 503 UNAVAILABLE, 504 and 408 DEADLINE_EXCEEDED, 404
     * UNIMPLEMENTED, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 400 INTERNAL, anything else UNKNOWN.
     */
    public static int statusFor(HttpResponseStatus http) {
        return switch (http.code()) {
            case 429, 413, 431 -> RESOURCE_EXHAUSTED;
            case 502, 503 -> UNAVAILABLE;
            case 504, 408 -> DEADLINE_EXCEEDED;
            case 404 -> UNIMPLEMENTED;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 400 -> INTERNAL;
            default -> UNKNOWN;
        };
    }

    /**
     * Whether a call's grpc-status is the server's failure, as an HTTP 5xx would be (UNKNOWN,
     * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), the same codes Envoy
     * maps to 5xx for its outlier detection. A missing or unreadable status is no verdict (false).
     */
    public static boolean serverFailure(HttpHeaders trailers) {
        String s = trailers.get(STATUS);
        if (s == null) {
            return false;
        }
        return switch (s) {
            case "2", "4", "12", "13", "14", "15" -> true;
            default -> false;
        };
    }

    /**
     * The deadline {@code grpc-timeout} asks for, in nanoseconds (up to 8 digits and a unit: H, M,
     * S, m, u, n), or -1 when absent or malformed.
     */
    public static long timeoutNanos(HttpHeaders h) {
        String t = h.get(TIMEOUT);
        if (t == null || t.length() < 2 || t.length() > 9) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < t.length() - 1; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return switch (t.charAt(t.length() - 1)) {
            case 'H' -> value * 3_600_000_000_000L;
            case 'M' -> value * 60_000_000_000L;
            case 'S' -> value * 1_000_000_000L;
            case 'm' -> value * 1_000_000L;
            case 'u' -> value * 1_000L;
            case 'n' -> value;
            default -> -1;
        };
    }

    /** {@code grpc-message} as the protocol writes it: percent-encoded UTF-8 outside printable ASCII and {@code %}. */
    public static String message(String reason) {
        StringBuilder out = new StringBuilder(reason.length());
        for (byte b : reason.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
