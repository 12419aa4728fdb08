package dev.sluice.core.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.balance.PickContext;
import dev.sluice.core.balance.PickRule;
import dev.sluice.core.metrics.Refusals;
import dev.sluice.core.upstream.Cluster;
import dev.sluice.core.upstream.Node;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.trace.Span;
import org.jspecify.annotations.Nullable;

/**
 * What the handlers of one downstream channel (an HTTP/1.1 connection or one HTTP/2 stream) know
 * about the request in progress. One instance per channel, shared by its handlers and reused for
 * every request on a keep-alive connection, so a request allocates no context of its own.
 * Event-loop confined.
 */
public final class RequestContext implements PickContext {

    private final String peerIp;
    private final @Nullable ClientIps trustedPeer;
    private final boolean secure;
    private final boolean http2;
    private volatile boolean draining;
    private final int loopIndex;

    private String clientIp;
    /** A HEAD request: its response has no body whatever it declares. The head itself is not kept (an idle connection holds no headers). */
    private boolean headMethod;
    private @Nullable String requestId;
    private @Nullable Cluster cluster;
    private boolean hasBody;
    private boolean chunked;
    private boolean keepAlive;
    private boolean expectContinue;
    private boolean websocket;
    private boolean grpc;
    private long declaredLength;
    private HttpVersion clientVersion = HttpVersion.HTTP_1_1;
    private long startNanos;
    private boolean forceClose;
    private long hashKey;
    private @Nullable PickRule pickRule;
    private @Nullable String refusal;
    private boolean awaitingHead = true;
    private @Nullable Refusals refusals;
    private @Nullable Node node;
    private long upstreamNanos;
    private int attempts;
    private @Nullable String route;
    /** The request's server span while tracing is on; set and ended by the access-log handler. */
    private @Nullable Span span;
    private long clientIpHash;
    private boolean clientIpHashed;

    public RequestContext(String peerIp, boolean secure, boolean http2, int loopIndex) {
        this(peerIp, null, secure, http2, loopIndex);
    }

    /**
     * @param trustedPeer the trusted-proxy rules when the socket peer is a trusted proxy (the
     *     client is then read from {@code X-Forwarded-For}), else null
     */
    public RequestContext(String peerIp, @Nullable ClientIps trustedPeer, boolean secure, boolean http2, int loopIndex) {
        this.peerIp = requireNonNull(peerIp, "peerIp");
        this.clientIp = peerIp;
        this.trustedPeer = trustedPeer;
        this.secure = secure;
        this.http2 = http2;
        this.loopIndex = loopIndex;
    }

    /** Resets the per-request state for a new request head. */
    void begin(HttpRequest head, long nowNanos) {
        reset(nowNanos);
        headMethod = HttpMethod.HEAD.equals(head.method());
        if (trustedPeer != null) {
            String xff = ForwardHeaders.forwardedFor(head.headers());
            clientIp = xff == null ? peerIp : trustedPeer.fromForwardedFor(peerIp, xff);
        }
        clientVersion = head.protocolVersion();
        chunked = HttpUtil.isTransferEncodingChunked(head);
        keepAlive = HttpUtil.isKeepAlive(head);
        declaredLength = chunked || !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH) ? -1 : HttpUtil.getContentLength(head, -1L);
        hasBody = chunked || declaredLength > 0;
        grpc = Grpc.isCall(head.headers());
        websocket = !http2 && !hasBody && ForwardHeaders.webSocketHandshake(head);
    }

    /** Whether the request is a WebSocket handshake, read before the hop-by-hop headers go (a 101 makes it a tunnel). */
    public boolean websocket() {
        return websocket;
    }

    /** Whether the request is a gRPC call ({@code content-type: application/grpc...}): Sluice's own answers are gRPC statuses. */
    public boolean grpc() {
        return grpc;
    }

    /** Resets for an answer before any head was read (a malformed head, a header timeout): it has its own id and log line. */
    void beginWithoutHead(long nowNanos) {
        reset(nowNanos);
        headMethod = false;
        clientIp = peerIp;
        clientVersion = HttpVersion.HTTP_1_1;
        chunked = false;
        keepAlive = false;
        declaredLength = -1;
        hasBody = false;
        websocket = false;
        grpc = false;
        requestId = RequestIds.generate();
    }

    private void reset(long nowNanos) {
        requestId = null;
        cluster = null;
        expectContinue = false;
        startNanos = nowNanos;
        forceClose = false;
        refusal = null;
        awaitingHead = false;
        node = null;
        pickRule = null;
        upstreamNanos = 0;
        attempts = 0;
        route = null;
    }

    /** The client's address as text: the socket peer, or what a trusted proxy says it forwarded. */
    public String clientIp() {
        return clientIp;
    }

    /** The socket peer's address as text. */
    public String peerIp() {
        return peerIp;
    }

    /** Whether the client connection is TLS. */
    public boolean secure() {
        return secure;
    }

    /** Whether this channel is an HTTP/2 stream. */
    public boolean http2() {
        return http2;
    }

    /** The index of the channel's event loop, which selects the upstream pools to use. */
    public int loopIndex() {
        return loopIndex;
    }

    /** Whether the request's method is HEAD. */
    public boolean headMethod() {
        return headMethod;
    }

    public @Nullable String requestId() {
        return requestId;
    }

    void requestId(String id) {
        this.requestId = id;
    }

    public @Nullable Cluster cluster() {
        return cluster;
    }

    void cluster(Cluster c) {
        this.cluster = c;
    }

    /** Whether the request announced a body (chunked, or Content-Length above zero). */
    public boolean hasBody() {
        return hasBody;
    }

    /** Whether the decoder read the body as chunked, from the head as it arrived: it is framed upstream as it was read. */
    public boolean chunked() {
        return chunked;
    }

    /** Whether the client asked to keep the connection (HTTP/1.1 unless close, HTTP/1.0 with keep-alive), read first. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the client waits for {@code 100 Continue} before it sends its body. */
    public boolean expectContinue() {
        return expectContinue;
    }

    public void expectContinue(boolean waits) {
        this.expectContinue = waits;
    }

    /** The Content-Length the decoder read the body by, or -1 (chunked, or no length). */
    public long declaredLength() {
        return declaredLength;
    }

    public HttpVersion clientVersion() {
        return clientVersion;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The node that served (or last tried) this request, for the access log. */
    public @Nullable Node node() {
        return node;
    }

    public long upstreamNanos() {
        return upstreamNanos;
    }

    public int attempts() {
        return attempts;
    }

    public void upstream(Node n, int attempts, long upstreamNanos) {
        this.node = n;
        this.attempts = attempts;
        this.upstreamNanos = upstreamNanos;
    }

    /** The route that took this request (its match, as {@link Router#describe} writes it), or null. */
    public @Nullable String route() {
        return route;
    }

    void route(String matched) {
        this.route = matched;
    }

    /** The request's trace span, or null when tracing is off. */
    public @Nullable Span span() {
        return span;
    }

    public void span(@Nullable Span s) {
        this.span = s;
    }

    /** The server is draining: responses on HTTP/1.1 say {@code Connection: close}. */
    public boolean draining() {
        return draining;
    }

    public void drain() {
        draining = true;
    }

    /** Whether the connection waits for the head of its next request (HTTP/1.1). */
    public boolean awaitingHead() {
        return awaitingHead;
    }

    /** The exchange is over: the next bytes start a new request head. */
    public void awaitHead() {
        awaitingHead = true;
    }

    /** Which protection refused this request ({@code ip}, {@code partition}, {@code overload}, {@code hygiene}), or null. */
    public @Nullable String refusal() {
        return refusal;
    }

    public void refusal(String what) {
        this.refusal = what;
        if (refusals != null) {
            refusals.count(what);
        }
    }

    /** Where refusals are counted; set once per channel. */
    public void countRefusalsIn(Refusals r) {
        this.refusals = r;
    }

    /** The 64-bit hash a consistent-hash picker places this request by. */
    @Override
    public long hashKey() {
        return hashKey;
    }

    void hashKey(long h) {
        this.hashKey = h;
    }

    /** The rule the last pick for this request followed; for {@code X-Sluice-Pick}. */
    @Override
    public void picked(PickRule rule) {
        this.pickRule = rule;
    }

    public @Nullable PickRule pickRule() {
        return pickRule;
    }

    /** xxHash64 of the client IP; the socket peer's is computed once per channel. */
    long clientIpHash() {
        if (clientIp != peerIp) {
            return KeyRegion.hash(clientIp);
        }
        if (!clientIpHashed) {
            clientIpHash = KeyRegion.hash(peerIp);
            clientIpHashed = true;
        }
        return clientIpHash;
    }

    /** After a reply to this request, close the connection whatever the request looked like. */
    public void forceClose() {
        forceClose = true;
    }

    /** Whether the connection closes after a reply: forced, draining, a body still coming, or a client that said close. */
    public boolean closeAfterReply(boolean requestComplete) {
        return forceClose || draining || (!requestComplete && hasBody) || (!http2 && !keepAlive);
    }
}
