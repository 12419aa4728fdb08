package dev.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar sluice.jar --demo} as a user runs it: a real child process on its documented ports. */
class DemoIT {

    /** A port in use must end the process with one line and exit 1, not leave it hanging. */
    @Test
    void aPortInUseEndsStartUpWithExitOne() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 18082));
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", Path.of("target/sluice.jar").toString(), "--demo").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("still running 10 s after start-up failed with a port in use");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("sluice: cannot start: java.net.BindException"), out);
        }
    }

    @Test
    void demoServesHttp11AndH2cInFrontOfFourBackends() throws Exception {
        Path jar = Path.of("target/sluice.jar");
        assertTrue(jar.toFile().isFile(), "run after package: " + jar.toAbsolutePath());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--demo").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("Press Ctrl-C")) {
                seen.append(line).append('\n');
            }
            assertTrue(seen.toString().contains("curl -s --http2-prior-knowledge http://127.0.0.1:8080/hello"), seen.toString());
            assertTrue(!seen.toString().contains("warning:"), "the demo configuration should need no warning:\n" + seen);

            HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                String body = h1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/hello")).build(),
                        BodyHandlers.ofString()).body();
                counts.merge(body.substring(0, body.indexOf(' ')), 1, Integer::sum);
            }
            // Weights 1:1:2:1 (8/8/16/8 of 40), the fourth node slow. Adaptive weights are on in the demo, so a
            // cold JVM's first slow answers may shift a few picks; ProxyIT checks the exact rotation with them off.
            assertTrue(counts.size() >= 3, counts.toString());
            assertTrue(counts.get("demo-backend-3") >= 12 && counts.get("demo-backend-3") <= 24, counts.toString());
            assertTrue(counts.get("demo-backend-1") >= 5 && counts.get("demo-backend-2") >= 5, counts.toString());

            var api = h1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/api/x")).build(), BodyHandlers.ofString());
            assertTrue(api.headers().firstValue("x-sluice-pick").orElse("").matches("node=127\\.0\\.0\\.1:1808[1-4];rule=weight;weight=.*"),
                    api.headers().map().toString());
            String alice = null;
            for (int i = 0; i < 5; i++) {
                String body = h1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/users")).header("X-User-Id", "alice")
                        .build(), BodyHandlers.ofString()).body();
                String node = body.substring(0, body.indexOf(' '));
                assertEquals(alice == null ? node : alice, node, "alice keeps her node");
                alice = node;
            }
            Map<Integer, Integer> noisy = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                noisy.merge(h1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/")).header("X-Tenant-Id", "noisy").build(),
                        BodyHandlers.ofString()).statusCode(), 1, Integer::sum);
            }
            assertTrue(noisy.getOrDefault(429, 0) >= 4 && noisy.getOrDefault(200, 0) >= 5, "burst 5, then 429: " + noisy);

            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            var r = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/h2")).build(), BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertTrue(r.body().contains("answered GET /h2"), r.body());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "demo did not stop on SIGTERM");
        }
    }

    /** {@code --demo-load} as the README promises: within seconds a split user and 429s for the noisy tenant. */
    @Test
    void demoLoadShowsASplitKeyAndRefusalsWithinSeconds() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/sluice.jar").toString(), "--demo-load").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                var stats = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9901/stats")).build(),
                        BodyHandlers.ofString()).body());
                boolean split = false;
                for (var c : stats.get("clusters")) {
                    for (var k : c.get("splitKeys")) {
                        split |= k.get("key").asText().equals("celebrity") && k.get("nodes").size() == 3;
                    }
                }
                return split && stats.get("refused").get("partition").asLong() > 0;
            });
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "demo did not stop on SIGTERM");
        }
    }
}
