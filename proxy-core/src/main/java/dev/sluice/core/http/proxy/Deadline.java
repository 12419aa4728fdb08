package dev.sluice.core.http.proxy;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.http.Grpc;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The time one request may take, from its head to the last byte of its response: the listener's
 * {@code requestTimeout}, or the {@code grpc-timeout} of a gRPC call when shorter. One timer per
 * request on the channel's loop. One per exchange, reused; event-loop confined.
 */
final class Deadline {

    private final long requestTimeoutNanos;
    private final EventExecutor executor;
    private final Runnable onExpiry;
    private @Nullable ScheduledFuture<?> timer;
    private long nanos;

    /** @param onExpiry run on the loop when the deadline passes before {@link #cancel} */
    Deadline(long requestTimeoutNanos, EventExecutor executor, Runnable onExpiry) {
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.executor = requireNonNull(executor, "executor");
        this.onExpiry = () -> {
            timer = null;
            onExpiry.run();
        };
    }

    /** A new request ({@code grpcCall}: a gRPC call, whose grpc-timeout counts): its deadline starts now. */
    void start(boolean grpcCall, HttpRequest head) {
        long grpc = grpcCall ? Grpc.timeoutNanos(head.headers()) : -1;
        nanos = grpc >= 0 && grpc < requestTimeoutNanos ? grpc : requestTimeoutNanos;
        timer = executor.schedule(onExpiry, nanos, TimeUnit.NANOSECONDS);
    }

    /** The request is over, or needs no deadline any more (a tunnel). */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The reason line of an expiry: the request still arriving, or its answer awaited. */
    String reason(boolean requestDone) {
        return (requestDone ? "request not completed" : "request not received") + " within " + nanos / 1_000_000 + "ms ("
                + (nanos < requestTimeoutNanos ? "grpc-timeout" : "requestTimeout") + ")";
    }
}
