package dev.sluice.core.http.proxy;

import dev.sluice.config.model.HostPort;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.upstream.Cluster;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Every way an exchange can fail before its response is complete, with what follows from each:
 * the status the client gets when the response has not started, the {@code retries.retryOn} name
 * that may send the request to another node, whether the node is blamed (outlier detection,
 * breakers, adaptive weights), which timeout counter ticks, and whether it is the client's fault
 * (a refusal: the connection closes after the answer). The reason line is the caller's, since it
 * names the node and the limit. Stateless.
 */
enum Failure {
    CONNECT_TIMEOUT(HttpResponseStatus.BAD_GATEWAY, "connect-failure", true, Cluster.Timeout.CONNECT),
    CONNECT_REFUSED(HttpResponseStatus.BAD_GATEWAY, "connect-failure", true, null),
    CONNECT_ERROR(HttpResponseStatus.BAD_GATEWAY, "connect-failure", true, null),
    /** The upstream closed or reset its connection before a response began. */
    UPSTREAM_CLOSED(HttpResponseStatus.BAD_GATEWAY, "reset", true, null),
    /** Bytes from the upstream that are not an HTTP response. */
    MALFORMED_RESPONSE(HttpResponseStatus.BAD_GATEWAY, null, true, null),
    /** {@code timeouts.response}: no response head in time. */
    RESPONSE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, null, true, Cluster.Timeout.RESPONSE),
    /** The listener's {@code requestTimeout} while the response was awaited. */
    REQUEST_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, null, true, Cluster.Timeout.REQUEST),
    /** The listener's {@code requestTimeout} while the request was still arriving: the client is slow. */
    REQUEST_NOT_RECEIVED(HttpResponseStatus.REQUEST_TIMEOUT, null, false, Cluster.Timeout.REQUEST),
    /** The body outgrew the listener's {@code maxRequestBodyBytes}. */
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, null, false, null),
    /** The decoder could not frame the rest of the body. */
    MALFORMED_BODY(HttpResponseStatus.BAD_REQUEST, null, false, null),
    /** Every node is at {@code pool.maxConnectionsPerNode} and the wait for one failed. */
    ALL_AT_LIMIT(HttpResponseStatus.SERVICE_UNAVAILABLE, null, false, null);

    private final HttpResponseStatus status;
    private final @Nullable String retryOn;
    private final boolean blamesNode;
    private final Cluster.@Nullable Timeout timeout;

    Failure(HttpResponseStatus status, @Nullable String retryOn, boolean blamesNode, Cluster.@Nullable Timeout timeout) {
        this.status = status;
        this.retryOn = retryOn;
        this.blamesNode = blamesNode;
        this.timeout = timeout;
    }

    /** What a failed connect was. */
    static Failure ofConnect(Throwable cause) {
        return cause instanceof ConnectTimeoutException ? CONNECT_TIMEOUT
                : cause instanceof ConnectException ? CONNECT_REFUSED : CONNECT_ERROR;
    }

    /** The reason line of a failed connect to {@code address}. */
    static String connectReason(HostPort address, Throwable cause) {
        if (cause instanceof SSLException) {
            return "TLS handshake with " + address + " failed: " + cause.getMessage();
        }
        return switch (ofConnect(cause)) {
            case CONNECT_TIMEOUT -> "connect to " + address + " timed out";
            case CONNECT_REFUSED -> "connect to " + address + " failed: connection refused";
            default -> "connect to " + address + " failed: " + cause.getMessage();
        };
    }

    /** The reason line of an upstream connection closed ({@code cause} null) or reset before it responded. */
    static String closedReason(HostPort address, @Nullable Throwable cause) {
        return "upstream " + address + " " + (cause == null ? "closed the connection" : "reset the connection") + " before responding";
    }

    static String responseTimeoutReason(HostPort address, Cluster cluster) {
        return "upstream " + address + " sent no response within " + cluster.config().timeouts().response().toMillis() + "ms";
    }

    static String allAtLimitReason(Cluster cluster, Throwable cause) {
        return "every node of cluster " + cluster.name() + " is at its connection limit (pool.maxConnectionsPerNode): "
                + cause.getMessage();
    }

    /** The status the client gets when no byte of the response has reached it. */
    HttpResponseStatus status() {
        return status;
    }

    /** The {@code retries.retryOn} name of this failure, or null when it is never retried. */
    @Nullable String retryOn() {
        return retryOn;
    }

    /** Whether this failure counts against the node (its failures feed outlier detection and breakers). */
    boolean blamesNode() {
        return blamesNode;
    }

    /** Whether the client caused it: the exchange is a refusal and the connection closes after the answer. */
    boolean clientFault() {
        return this == BODY_TOO_LARGE || this == MALFORMED_BODY || this == REQUEST_NOT_RECEIVED;
    }

    /** Ticks the counters this failure has in the cluster and on the request. */
    void count(Cluster cluster, RequestContext rc) {
        if (timeout != null) {
            cluster.countTimeout(timeout);
        }
        if (this == BODY_TOO_LARGE || this == MALFORMED_BODY) {
            rc.refusal("hygiene");
        }
        if (clientFault()) {
            rc.forceClose();
        }
    }
}
