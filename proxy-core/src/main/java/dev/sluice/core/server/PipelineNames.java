package dev.sluice.core.server;

import io.netty.channel.ChannelPipeline;

/**
 * Names of the downstream handlers. An HTTP/1.1 connection's pipeline, in order:
 * <ol>
 *   <li>{@link #LINGER}: a close Sluice asks for is a lingering close (answer, shut output, drain input)</li>
 *   <li>on a TLS listener, {@link #TLS}: first the TLS detector (plain HTTP gets a cleartext 400),
 *       then SNI, which puts the TLS handler for the client's server name in its place; and
 *       {@link #TLS_EVENTS}: a failed handshake is counted and logged once, and closes</li>
 *   <li>{@link #FLUSH_CONSOLIDATION}: batches flushes</li>
 *   <li>{@link #IDLE}: idle keep-alive connections are closed after {@code idleTimeout}</li>
 *   <li>{@link #HEADER_TIMEOUT}: a request head must arrive within {@code headerTimeout} of its first byte (408)</li>
 *   <li>{@link #H2_PREFACE}: the HTTP/2 preface hands the connection to HTTP/2 (h2c prior
 *       knowledge); anything else stays HTTP/1.1. Removes itself after the first bytes</li>
 *   <li>{@link #CODEC}: the strict HTTP/1.1 codec ({@code http1.ServerCodec}): every malformed
 *       head or body framing is refused here, as a {@code MalformedRequest} or a failed body</li>
 *   <li>{@link #H2C_UPGRADE}: {@code Upgrade: h2c} (cleartext listeners only)</li>
 *   <li>{@link #FLOW_CONTROL}: one message per {@code read()}, so the proxy pulls request parts</li>
 *   <li>{@link #KEEP_ALIVE}: {@code Connection: close} handling</li>
 *   <li>{@link #ACCESS_LOG}: one JSON line per request (when {@code accessLog.enabled}), and the request's trace span (with {@code tracing})</li>
 *   <li>{@link #REQUEST_CHAIN}: one handler, five steps as method calls
 *       ({@code http.RequestChain}): hygiene (malformed heads, forwarding headers), shed (global
 *       in-flight limit, 429), rate limits (per-IP then per-partition token buckets, 429), route
 *       (host/path to cluster, 404), hash key (for a consistent-hash cluster, 400 on a bad key)</li>
 *   <li>{@link #PROXY}: pick a node, acquire an upstream connection, relay</li>
 * </ol>
 * An HTTP/2 connection (h2c, or h2 over TLS: the same preface after the handshake) keeps
 * {@link #LINGER}, the TLS handlers and {@link #FLUSH_CONSOLIDATION}, then runs
 * {@link #H2_FRAME_GUARD} (stream order, header-block deadline), {@link #H2_FRAME_CODEC},
 * {@link #H2_MULTIPLEX} and {@link #H2_CONNECTION} (which removed the HTTP/1.1 handlers and added
 * the guard when it was added, closes the connection after {@code idleTimeout} without a stream,
 * and counts connection errors); each stream's child channel runs {@link #H2_STREAM_GUARD}
 * (malformed requests and stream errors: RST_STREAM with the RFC's code), {@link #H2_STREAM_CODEC},
 * {@link #FLOW_CONTROL}, {@link #ACCESS_LOG}, {@link #REQUEST_CHAIN} and {@link #PROXY}: the same handlers see
 * the same HTTP message objects for both protocols.
 */
public final class PipelineNames {
    public static final String LINGER = "linger";
    public static final String FLUSH_CONSOLIDATION = "flush-consolidation";
    public static final String TLS = "tls";
    public static final String TLS_EVENTS = "tls-events";
    public static final String IDLE = "idle";
    public static final String HEADER_TIMEOUT = "header-timeout";
    public static final String H2_PREFACE = "h2-preface";
    public static final String CODEC = "http-codec";
    public static final String H2C_UPGRADE = "h2c-upgrade";
    public static final String H2_FRAME_GUARD = "h2-frame-guard";
    public static final String H2_FRAME_CODEC = "h2-frame-codec";
    public static final String H2_MULTIPLEX = "h2-multiplex";
    public static final String H2_CONNECTION = "h2-connection";
    public static final String H2_STREAM_GUARD = "h2-stream-guard";
    public static final String H2_STREAM_CODEC = "h2-stream-codec";
    public static final String FLOW_CONTROL = "flow-control";
    public static final String KEEP_ALIVE = "keep-alive";
    public static final String ACCESS_LOG = "access-log";
    public static final String REQUEST_CHAIN = "request-chain";
    public static final String PROXY = "proxy";

    /** The HTTP/1.1-only handlers, removed when a connection switches to HTTP/2. */
    static final String[] HTTP1_ONLY = {IDLE, HEADER_TIMEOUT, FLOW_CONTROL, KEEP_ALIVE, ACCESS_LOG, REQUEST_CHAIN, PROXY};

    /** The HTTP/1.1 handlers a WebSocket tunnel does without: everything between the socket's guards and the proxy. */
    private static final String[] TUNNEL_STRIPS = {HEADER_TIMEOUT, H2_PREFACE, CODEC, H2C_UPGRADE, FLOW_CONTROL, KEEP_ALIVE,
        ACCESS_LOG, REQUEST_CHAIN};

    private PipelineNames() {
    }

    /** Takes the HTTP/1.1 handlers out of a connection that became a WebSocket tunnel. */
    static void stripForTunnel(ChannelPipeline p) {
        for (String name : TUNNEL_STRIPS) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }
}
