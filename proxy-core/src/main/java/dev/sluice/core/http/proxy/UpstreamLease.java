package dev.sluice.core.http.proxy;

import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.UpstreamListener;
import org.jspecify.annotations.Nullable;

/**
 * One attempt's hold on a backend: the picked node and, once acquired, the way to it (a pooled
 * HTTP/1.1 connection, or a stream on a multiplexed HTTP/2 connection), so that {@link Exchange}
 * does not know which. The node's {@link Node#beginRequest}/{@link Node#endRequest} pair is here
 * and nowhere else: {@link #begin} counts the request in flight, {@link #end} lets go of all of it
 * exactly once; so is what the node is judged by (its responses, failures and latency). One per
 * exchange, reused for every attempt; event-loop confined.
 */
interface UpstreamLease {

    /** Takes {@code node} for a new attempt (the previous one ended); the node's latency counts from now. */
    void begin(Node node);

    /** The request went upstream in full: the node's latency counts from now (a slow upload is not the node's). */
    void requestSent();

    /** The node answered with {@code status}: recorded with its latency (5xx as errors). */
    void recordResponse(int status);

    /** The attempt failed by the node's fault: recorded with its latency. */
    void recordFailure();

    /** The node held, or null between attempts. */
    @Nullable Node node();

    /**
     * Asks for a connection to the node, or to another of the cluster when this one is at its
     * connection limit; {@link Events#onConnected} or {@link Events#onConnectFailed} follows,
     * maybe at once. The node held may change meanwhile.
     */
    void acquire();

    /** Writes a request part (or a tunnel's bytes) upstream, flushing when {@code flush}; ownership of {@code msg} passes with it. */
    void write(Object msg, boolean flush);

    /** Whether the upstream can take more of the request now. */
    boolean writable();

    /** Pauses ({@code false}) or resumes reading the response, while the client cannot take more. */
    void readResponse(boolean on);

    /** The connection stops being HTTP (a WebSocket after its 101): its HTTP handlers go, and it is read as bytes. */
    void tunnel();

    /**
     * Lets go: a connection back to its pool when {@code reuse} (else closed), a wait for one
     * cancelled, and the node's {@code endRequest}. Nothing when nothing is held.
     */
    void end(boolean reuse);

    /** What the lease reports to its exchange: the connection, then everything the upstream does. */
    interface Events extends UpstreamListener {

        /** The connection is there; the request may go. */
        void onConnected();

        /** No connection: the connect failed, or every node is at its limit ({@code PoolExhaustedException}). */
        void onConnectFailed(Throwable cause);
    }
}
