package dev.sluice.core.upstream;

/**
 * Handler names of an upstream channel, in pipeline order:
 * <ol>
 *   <li>{@link #CODEC}: HTTP/1.1 client codec</li>
 *   <li>{@link #RESPONSE_TIMEOUT}: no response head within {@code timeouts.response} after the request</li>
 *   <li>{@link #IDLE}: fires once the connection was idle for {@code pool.idleTimeout}</li>
 *   <li>{@link #BACKEND}: relays the response to the exchange, closes idle pooled connections</li>
 * </ol>
 */
public final class UpstreamNames {
    /** TLS to the backend, when the cluster has {@code tls}. */
    public static final String TLS = "tls";
    public static final String CODEC = "http-client-codec";
    public static final String RESPONSE_TIMEOUT = "response-timeout";
    public static final String IDLE = "idle";
    public static final String BACKEND = "proxy-backend";

    private UpstreamNames() {
    }
}
