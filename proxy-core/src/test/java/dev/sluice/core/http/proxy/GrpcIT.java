package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.testing.H2Client;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.upstream.Cluster;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC through Sluice end to end with grpc-java on both sides (no generated code: methods over
 * byte arrays). A gRPC client speaks h2c to Sluice, which balances every call on its own over
 * three gRPC servers ({@code protocol: h2}): the four call types, trailers, a deadline, a server
 * error, 300 calls on one client connection spread evenly, and Sluice's own 429 as
 * RESOURCE_EXHAUSTED.
 */
class GrpcIT {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> SERVER_STREAM = method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM = method("ClientStream", MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> DOWN = method("Down", MethodDescriptor.MethodType.UNARY);
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

    private static final List<Server> servers = new ArrayList<>();
    /** Where the slow method's late answers wait; stopped with the servers, so none outlives this class. */
    private static final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor();
    private static RunningSluice sluice;
    private static ManagedChannel channel;

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName("test.Echo/" + name)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A gRPC server named {@code name}: every answer starts with its name. */
    private static Server server(String name) throws IOException {
        ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(text(name + ":" + text(req)));
                    out.onCompleted();
                }))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(text(req));
                    for (int i = 0; i < n; i++) {
                        out.onNext(text(name + ":" + i));
                    }
                    out.onCompleted();
                }))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<byte[]>() {
                    private int bytes;

                    @Override
                    public void onNext(byte[] value) {
                        bytes += value.length;
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(text(name + ":" + bytes));
                        out.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        out.onNext(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((req, out) -> {
                    // Answers late, long after any deadline the tests set.
                    late.schedule(() -> {
                        out.onNext(req);
                        out.onCompleted();
                    }, 3, TimeUnit.SECONDS);
                }))
                .addMethod(DOWN, ServerCalls.asyncUnaryCall((req, out) -> out.onError(Status.UNAVAILABLE.asRuntimeException())))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "why it failed");
                    out.onError(Status.INVALID_ARGUMENT.withDescription("bad request: " + text(req)).asRuntimeException(trailers));
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start();
    }

    @BeforeAll
    static void start() throws Exception {
        StringBuilder backends = new StringBuilder();
        for (String name : List.of("a", "b", "c")) {
            Server s = server(name);
            servers.add(s);
            backends.append(backends.length() == 0 ? "" : ", ").append("{ address: \"127.0.0.1:").append(s.getPort()).append("\" }");
        }
        sluice = RunningSluice.start("""
                listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes:
                  - { match: { pathPrefix: /, headers: { x-limited: "yes" } }, cluster: limited }
                  - { match: { pathPrefix: / }, cluster: grpc }
                clusters:
                  # adaptive weights off: the spread measured is the per-call balancing itself
                  - { name: grpc, protocol: h2, grpcStatusAsError: true, adaptiveWeights: { enabled: false }, backends: [ %s ] }
                  - { name: limited, protocol: h2, backends: [ ] }
                """.formatted(backends));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", sluice.address().getPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        late.shutdownNow(); // an answer still due would be written into a server stopped by then (found in a later test class)
        late.awaitTermination(5, TimeUnit.SECONDS);
        sluice.close();
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theFourCallTypesPassThrough() throws Exception {
        String unary = text(ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, text("hi")));
        assertTrue(unary.endsWith(":hi"), unary);

        Iterator<byte[]> stream = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM, CallOptions.DEFAULT, text("5"));
        List<String> got = new ArrayList<>();
        stream.forEachRemaining(b -> got.add(text(b)));
        assertEquals(5, got.size(), got.toString());

        CompletableFuture<String> sum = new CompletableFuture<>();
        StreamObserver<byte[]> up = ClientCalls.asyncClientStreamingCall(channel.newCall(CLIENT_STREAM, CallOptions.DEFAULT), observer(sum));
        for (int i = 0; i < 10; i++) {
            up.onNext(new byte[1000]);
        }
        up.onCompleted();
        assertTrue(sum.get(10, TimeUnit.SECONDS).endsWith(":10000"), sum.get());

        LinkedBlockingQueue<byte[]> echoes = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<byte[]> bidi = ClientCalls.asyncBidiStreamingCall(channel.newCall(BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                echoes.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        for (int i = 0; i < 3; i++) {
            bidi.onNext(text("m" + i));
            assertEquals("m" + i, text(echoes.poll(10, TimeUnit.SECONDS)), "each message echoed while the call stays open");
        }
        bidi.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<String> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                result.complete(text(value));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Test
    void aServerErrorArrivesWithItsStatusMessageAndTrailers() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT, text("x")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("bad request: x", e.getStatus().getDescription());
        assertEquals("why it failed", e.getTrailers().get(DETAIL), "the server's trailers reach the client");
    }

    @Test
    void theClientsDeadlineIsDeadlineExceeded() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), text("x")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }

    @Test
    void sluiceHonoursGrpcTimeoutAndAnswersWithATrailersOnlyDeadlineExceeded() throws Exception {
        long before = sluice.server().clusters().get("grpc").timeouts(Cluster.Timeout.REQUEST);
        try (H2Client raw = new H2Client(sluice.address())) {
            // One empty message (a 5-byte gRPC frame), and a deadline only in grpc-timeout: no client-side timer.
            FullHttpRequest call = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/test.Echo/Slow",
                    Unpooled.wrappedBuffer(new byte[5]));
            call.headers().set("content-type", "application/grpc").set("te", "trailers").set("grpc-timeout", "200m");
            H2Client.Response r = raw.send(call).get(5, TimeUnit.SECONDS);
            assertEquals(200, r.status(), "gRPC errors travel in a 200");
            assertEquals("4", r.headers().get("grpc-status"), "DEADLINE_EXCEEDED, trailers-only");
            assertTrue(r.headers().get("grpc-message").contains("grpc-timeout"), r.headers().get("grpc-message"));
        }
        assertEquals(before + 1, sluice.server().clusters().get("grpc").timeouts(Cluster.Timeout.REQUEST));
    }

    @Test
    void threeHundredCallsOnOneConnectionSpreadOverTheThreeServers() {
        Map<String, Integer> perServer = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String answer = text(ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, text("n")));
            perServer.merge(answer.substring(0, answer.indexOf(':')), 1, Integer::sum);
        }
        assertEquals(3, perServer.size(), perServer.toString());
        for (int n : perServer.values()) {
            assertTrue(n >= 90 && n <= 110, "each server within 10% of 100: " + perServer);
        }
    }

    @Test
    void aClusterWithoutNodesIsUnavailable() {
        Metadata limited = new Metadata();
        limited.put(Metadata.Key.of("x-limited", Metadata.ASCII_STRING_MARSHALLER), "yes");
        Channel toEmpty = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(limited));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(toEmpty, UNARY, CallOptions.DEFAULT, text("x")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "Sluice's 503, as gRPC says it");
        assertEquals("no healthy node in cluster limited", e.getStatus().getDescription());
    }

    @Test
    void aSluice429ReachesTheClientAsResourceExhausted() throws Exception {
        String backend = "127.0.0.1:" + servers.get(0).getPort();
        try (RunningSluice limited = RunningSluice.start("""
                listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                rateLimits: { perIp: { rate: 1/s, burst: 1 } }
                routes: [ { match: { pathPrefix: / }, cluster: grpc } ]
                clusters: [ { name: grpc, protocol: h2, backends: [ { address: "%s" } ] } ]
                """.formatted(backend))) {
            ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", limited.address().getPort()).usePlaintext().build();
            try {
                assertTrue(text(ClientCalls.blockingUnaryCall(c, UNARY, CallOptions.DEFAULT, text("first"))).endsWith(":first"));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(c, UNARY, CallOptions.DEFAULT, text("second")));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
            } finally {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static long nodeErrors() {
        return sluice.server().clusters().get("grpc").nodes().stream().mapToLong(n -> n.stats().errors()).sum();
    }

    /** grpcStatusAsError: a server failure in grpc-status counts against the node; a client's mistake does not. */
    @Test
    void serverFailureStatusesCountAsTheNodesErrorsAndClientMistakesDoNot() {
        long before = nodeErrors();
        for (int i = 0; i < 3; i++) {
            assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT, text("x")));
        }
        assertEquals(before, nodeErrors(), "INVALID_ARGUMENT is the client's");
        for (int i = 0; i < 3; i++) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(channel, DOWN, CallOptions.DEFAULT, text("x")));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        }
        assertEquals(before + 3, nodeErrors(), "UNAVAILABLE is the server's, as a 503 would be");
    }
}
