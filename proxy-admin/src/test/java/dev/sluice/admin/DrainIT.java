package dev.sluice.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM on a real child process: in-flight requests finish, new connections are refused, exit 0. */
class DrainIT {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void twoHundredSlowRequestsFinishAfterSigtermAndTheProcessExitsZero(@TempDir Path dir) throws Exception {
        WireMockServer slow = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(260).jettyAcceptors(2));
        slow.start();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("done").withFixedDelay(2000)));
        int port = freePort();
        int adminPort = freePort();
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                server: { drainTimeout: 5s }
                listeners: [ { name: public, bind: "127.0.0.1:%d" } ]
                admin: { bind: "127.0.0.1:%d" }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: slow } ]
                clusters: [ { name: slow, timeouts: { connect: 5s, response: 10s }, backends: [ { address: "127.0.0.1:%d" } ] } ]
                """.formatted(port, adminPort, slow.port()));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/sluice.jar").toString(), "--config", config.toString()).redirectErrorStream(true).start();
        var pool = Executors.newCachedThreadPool();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("Admin port on")) {
                // start-up lines
            }
            pool.submit(() -> out.lines().forEach(l -> { })); // keep draining the child's output
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool).build();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/r" + i))
                        .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString()));
            }
            HttpClient adminClient = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(10)).until(() -> adminClient.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/stats")).build(), BodyHandlers.ofString())
                    .body().contains("\"inFlight\" : 200"));

            long sigterm = System.nanoTime();
            p.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThrows(IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                }
            }));
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(15, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("done", r.body());
            }
            assertTrue(p.waitFor(7, TimeUnit.SECONDS), "still running after drainTimeout + 1 s");
            long tookMs = (System.nanoTime() - sigterm) / 1_000_000;
            assertEquals(0, p.exitValue());
            assertTrue(tookMs < 6000, "exited " + tookMs + " ms after SIGTERM");
        } finally {
            p.destroyForcibly();
            pool.shutdownNow();
            slow.stop();
        }
    }
}
