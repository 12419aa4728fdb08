package dev.sluice.perf;

import dev.sluice.config.load.Values;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.core.http.ForwardHeaders;
import dev.sluice.core.http.RateLimits;
import dev.sluice.core.http.RequestChain;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.http.Router;
import dev.sluice.core.ratelimit.FixedLimiter;
import dev.sluice.core.ratelimit.KeyedRateLimiter;
import dev.sluice.core.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ingress chain per request (hygiene with forwarding headers, shed, per-IP and per-partition
 * rate limits, route) on an {@link EmbeddedChannel}, ending in a sink that completes the request the
 * way the proxy does. The request object is the benchmark's input (in Sluice the codec allocates
 * it); what is measured is everything the chain does to it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IngressChainBenchmark {

    private EmbeddedChannel channel;
    /** The same chain with no rate limits configured: the difference is what per-IP and per-partition buckets cost. */
    private EmbeddedChannel withoutLimits;
    private Router router;
    private RequestContext rc;
    private final FullHttpRequest routed = request();

    @Setup
    public void setUp() throws Exception {
        ProxyConfig c = YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                routes: [ { match: { host: api.example.com, pathPrefix: /orders }, cluster: c },
                          { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c } ]
                """, "bench").config();
        SimCluster sim = new SimCluster("{ name: sim }", 3, b -> 0, 0);
        router = new Router(c.routes(), Map.of("c", sim.cluster));
        rc = new RequestContext("10.1.2.3", false, false, 0);
        Ticker ticker = System::nanoTime;
        KeyedRateLimiter ip = new KeyedRateLimiter(Values.rate("1000000000/s"), 1_000_000_000, Map.of(), 100_000, ticker);
        KeyedRateLimiter partition = new KeyedRateLimiter(Values.rate("1000000000/s"), 1_000_000_000, Map.of(), 100_000, ticker);
        FixedLimiter shed = new FixedLimiter(4096);
        dev.sluice.core.http.EndToEndHeaders endToEnd = dev.sluice.core.http.EndToEndHeaders.of(c);
        RateLimits limits = new RateLimits(ip, partition,
                new dev.sluice.core.http.KeyExtractor(dev.sluice.config.model.KeySource.header("X-Tenant-Id"), 128), false, null);
        channel = new EmbeddedChannel(
                new RequestChain(rc, ticker, 5 << 20, true, () -> endToEnd, () -> shed, () -> limits, () -> router),
                new Sink());
        RequestContext plain = new RequestContext("10.1.2.3", false, false, 0);
        withoutLimits = new EmbeddedChannel(
                new RequestChain(plain, ticker, 5 << 20, true, () -> endToEnd, () -> shed, () -> RateLimits.NONE, () -> router),
                new Sink());
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        withoutLimits.finishAndReleaseAll();
        routed.release();
    }

    private static FullHttpRequest request() {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/orders/17");
        req.headers().set("host", "api.example.com").set("x-tenant-id", "acme").set("x-request-id", "abc-123");
        return req;
    }

    @Benchmark
    public Object chain() {
        channel.writeInbound(request());
        return channel.readOutbound();
    }

    @Benchmark
    public Object chainWithoutLimits() {
        withoutLimits.writeInbound(request());
        return withoutLimits.readOutbound();
    }

    /** The route match alone: host, then path prefix, over two routes. */
    @Benchmark
    public Object route() {
        return router.route(routed);
    }

    /** A backend's response head (NGINX's headers) rewritten for the client: hop-by-hop headers out, Via and the request id in. */
    @Benchmark
    public Object responseHead() {
        HttpResponse resp = response();
        ForwardHeaders.response(resp, rc);
        return resp;
    }

    /** The response head alone: subtract it from {@link #responseHead}. */
    @Benchmark
    public Object responseHeadBaseline() {
        return response();
    }

    private static HttpResponse response() {
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set("server", "nginx/1.22.1").set("date", "Wed, 02 Dec 2026 06:00:00 GMT").set("content-type", "text/plain")
                .set("content-length", "100").set("last-modified", "Wed, 02 Dec 2026 05:00:00 GMT").set("connection", "keep-alive")
                .set("etag", "\"692e0000-64\"").set("accept-ranges", "bytes");
        return resp;
    }

    /** The input alone: subtract it from {@link #chain} for the chain's own cost. */
    @Benchmark
    public boolean baseline() {
        return request().release();
    }

    /** Completes each request as the proxy would: release it, write the end of a response. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        }
    }
}
