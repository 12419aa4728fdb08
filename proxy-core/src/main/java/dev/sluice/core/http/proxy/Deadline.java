package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.Grpc;
import dev.sluice.core.time.TimerWheel;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The time one request may take, from its head to the last byte of its response: the listener's
 * {@code requestTimeout}, or the {@code grpc-timeout} of a gRPC call when shorter. One timer per
 * request on the loop's {@link TimerWheel}. One per exchange, reused; event-loop confined.
 */
final class Deadline {

    private final long requestTimeoutNanos;
    private final TimerWheel.Timeout timer;
    private long nanos;

    /** @param onExpiry run on the loop when the deadline passes before {@link #cancel} */
    Deadline(long requestTimeoutNanos, TimerWheel wheel, Runnable onExpiry) {
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.timer = wheel.newTimeout(requireNonNull(onExpiry, "onExpiry"));
    }

    /** A new request ({@code grpcCall}: a gRPC call, whose grpc-timeout counts): its deadline starts now. */
    void start(boolean grpcCall, HttpRequest head) {
        long grpc = grpcCall ? Grpc.timeoutNanos(head.headers()) : -1;
        nanos = grpc >= 0 && grpc < requestTimeoutNanos ? grpc : requestTimeoutNanos;
        timer.start(nanos);
    }

    /** The request is over, or needs no deadline any more (a tunnel). */
    void cancel() {
        timer.stop();
    }

    /** The reason line of an expiry: the request still arriving, or its answer awaited. */
    String reason(boolean requestDone) {
        return (requestDone ? "request not completed" : "request not received") + " within " + nanos / 1_000_000 + "ms ("
                + (nanos < requestTimeoutNanos ? "grpc-timeout" : "requestTimeout") + ")";
    }
}
