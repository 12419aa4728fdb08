package dev.sluice.core.tracing;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.model.TracingConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * {@code tracing}: one OpenTelemetry server span per request, exported in batches over OTLP/HTTP by
 * the SDK's own thread. The W3C {@code traceparent} (and {@code tracestate}) a request brings is the
 * span's parent, and the request goes upstream with the span's own {@code traceparent}, so the
 * backend's spans hang under Sluice's; without one a trace starts here. Sampling follows an
 * incoming sampled flag and records {@code samplingRatio} of the traces that start here. Without a
 * {@code tracing} section nothing of this exists: the access-log handler finds no tracing and goes on.
 */
public final class Tracing implements AutoCloseable {

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("sluice.route");
    static final AttributeKey<String> CLUSTER = AttributeKey.stringKey("sluice.cluster");
    static final AttributeKey<String> NODE = AttributeKey.stringKey("sluice.node");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("sluice.attempts");
    static final AttributeKey<String> REFUSED = AttributeKey.stringKey("sluice.refused");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("sluice.request_id");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("sluice.attempt");
    static final AttributeKey<String> TRIGGER = AttributeKey.stringKey("sluice.retry_on");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("sluice.reason");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<HttpHeaders> GET = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            return carrier.names();
        }

        @Override
        public @Nullable String get(@Nullable HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapSetter<HttpHeaders> SET = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.set(key, value);
        }
    };

    private final TracingConfig config;
    private final SdkTracerProvider provider;
    private final Tracer tracer;

    public Tracing(TracingConfig config) {
        this.config = requireNonNull(config, "config");
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.endpoint())
                .setTimeout(config.exportTimeout()).build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
                        config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500)).build())
                .build();
        this.tracer = provider.get("dev.sluice");
    }

    public TracingConfig config() {
        return config;
    }

    /**
     * Starts the request's server span, its parent taken from the request's {@code traceparent}, and
     * replaces that header with the span's own for the backend.
     */
    public Span start(HttpRequest request, boolean http2) {
        HttpHeaders headers = request.headers();
        Context parent = W3C.extract(Context.root(), headers, GET);
        Span span = tracer.spanBuilder(request.method().name()).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
        if (span.isRecording()) {
            int query = request.uri().indexOf('?');
            span.setAttribute(METHOD, request.method().name());
            span.setAttribute(PATH, query < 0 ? request.uri() : request.uri().substring(0, query));
            span.setAttribute(PROTOCOL, http2 ? "2" : "1.1");
        }
        W3C.inject(parent.with(span), headers, SET);
        return span;
    }

    /** One failed attempt that is tried again: an event on the span. */
    public static void retry(@Nullable Span span, int attempt, String trigger, String reason) {
        if (span != null && span.isRecording()) {
            span.addEvent("retry", Attributes.of(ATTEMPT, (long) attempt, TRIGGER, trigger, REASON, reason));
        }
    }

    /**
     * Ends the request's span with its status (0: the connection closed first) and where it went: the
     * route, cluster and node (with the attempts it took) when it reached one, the refusal when a
     * protection answered it.
     */
    public static void end(Span span, int status, String clientIp, @Nullable String requestId, @Nullable String route,
            @Nullable String cluster, @Nullable String node, int attempts, @Nullable String refusal) {
        if (span.isRecording()) {
            if (status > 0) {
                span.setAttribute(STATUS, (long) status);
            } else {
                span.setStatus(StatusCode.ERROR, "the connection closed before the response ended");
            }
            span.setAttribute(CLIENT, clientIp);
            set(span, REQUEST_ID, requestId);
            set(span, ROUTE, route);
            set(span, CLUSTER, cluster);
            if (node != null) {
                span.setAttribute(NODE, node);
                span.setAttribute(ATTEMPTS, (long) attempts);
            }
            set(span, REFUSED, refusal);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    private static void set(Span span, AttributeKey<String> key, @Nullable String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }

    /** The span's trace id for the access log, or null when it has none. */
    public static @Nullable String traceId(@Nullable Span span) {
        return span != null && span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    /** Exports what is queued (at most a few seconds), then stops the exporter's thread. */
    @Override
    public void close() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
