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
    /** On an HTTP/2 connection: the frame codec, the multiplexer, and the pool's watch (GOAWAY, idle). */
    public static final String H2_CODEC = "h2-frame-codec";
    public static final String H2_MULTIPLEX = "h2-multiplex";
    public static final String H2_CONNECTION = "h2-connection";
    /** On each HTTP/2 stream: frames to HTTP messages and back, before the response timeout and the backend handler. */
    public static final String H2_STREAM_CODEC = "h2-stream-codec";

    private UpstreamNames() {
    }
}
