package dev.sluice.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.load.LoadedConfig;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.HostPort;
import dev.sluice.core.server.SluiceServer;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.time.Ticker;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What starts a reload: POST /reload (with its token), a saved file, and SIGHUP on a real child process. */
class ReloadTriggersIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestBackend a;
    private TestBackend b;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void backends() throws InterruptedException {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
    }

    @AfterEach
    void stopBackends() {
        a.close();
        b.close();
    }

    /** Writes {@code yaml} to {@code file} and loads it, as Main does at start. */
    private static LoadedConfig write(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        return YamlConfigLoader.load(file);
    }

    private Reloader reloader(Path file, LoadedConfig loaded, SluiceServer server) {
        return new Reloader(file, loaded, server, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static String config(String watch, String... backends) {
        StringBuilder list = new StringBuilder();
        for (String b : backends) {
            list.append(list.length() == 0 ? "" : ", ").append("{ address: \"").append(b).append("\" }");
        }
        return """
                server: { configWatchInterval: %s }
                listeners: [ { name: main, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0", token: s3cret }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters:
                  - name: c
                    adaptiveWeights: { enabled: false }
                    backends: [ %s ]
                """.formatted(watch, list);
    }

    private static HttpResponse<String> post(AdminServer admin, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), BodyHandlers.ofString());
    }

    private static String metrics(AdminServer admin) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + "/metrics")).build(),
                BodyHandlers.ofString()).body();
    }

    private static String body(SluiceServer server) throws IOException {
        try (RawHttp raw = new RawHttp(server.address("main"))) {
            return raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().body();
        }
    }

    @Test
    void postReloadAppliesAGoodFileAndRefusesABadOneNamingEveryProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        LoadedConfig loaded = write(file, config("0s", a.address(), b.address()));
        try (SluiceServer server = SluiceServer.start(loaded.config(), loaded.sourceMap(), Ticker.SYSTEM);
                Reloader reloader = reloader(file, loaded, server);
                AdminServer admin = new AdminServer(server, new HostPort("127.0.0.1", 0), () -> { }, reloader)) {
            assertTrue(metrics(admin).contains(b.address()), "b is in /metrics before");
            assertEquals(401, post(admin, "/reload", null).statusCode());
            assertEquals(401, post(admin, "/reload", "wrong").statusCode());

            Files.writeString(file, config("0s", a.address()));
            HttpResponse<String> applied = post(admin, "/reload", "s3cret");
            assertEquals(200, applied.statusCode(), applied.body());
            assertTrue(applied.body().startsWith("reloaded\n"), applied.body());
            assertTrue(applied.body().contains("cluster c: node " + b.address() + " removed"), applied.body());
            for (int i = 0; i < 10; i++) {
                assertEquals("a", body(server));
            }
            String metrics = metrics(admin);
            assertFalse(metrics.contains(b.address()), "b left /metrics with its node");
            assertTrue(metrics.contains(a.address()));

            // Two problems at once, each with its key path and line; the running configuration stays.
            Files.writeString(file, config("0s", a.address()).replace("adaptiveWeights: { enabled: false }",
                    "adaptiveWeights: { enabled: maybe }\n    balancer: random"));
            HttpResponse<String> refused = post(admin, "/reload", "s3cret");
            assertEquals(422, refused.statusCode(), refused.body());
            assertTrue(refused.body().startsWith("reload refused; still running the previous configuration\n"), refused.body());
            assertTrue(refused.body().contains("clusters[0].adaptiveWeights.enabled (line 8)"), refused.body());
            assertTrue(refused.body().contains("clusters[0].balancer (line 9)"), refused.body());
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("clusters[0].balancer (line 9)"), "the log names it too");
            assertEquals("a", body(server));
            assertEquals(1, server.clusters().get("c").nodes().size());

            // The token itself can change by reload.
            Files.writeString(file, config("0s", a.address(), b.address()).replace("s3cret", "n3w"));
            assertEquals(200, post(admin, "/reload", "s3cret").statusCode());
            assertEquals(401, post(admin, "/reload", "s3cret").statusCode());
            assertEquals(200, post(admin, "/reload", "n3w").statusCode());
            assertTrue(metrics(admin).contains(b.address()), "b is back in /metrics");
        }
    }

    @Test
    void aSavedFileIsReloadedAndABrokenSaveChangesNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        LoadedConfig loaded = write(file, config("100ms", a.address()));
        try (SluiceServer server = SluiceServer.start(loaded.config(), loaded.sourceMap(), Ticker.SYSTEM);
                Reloader reloader = reloader(file, loaded, server)) {
            Files.writeString(file, config("100ms", a.address(), b.address()));
            // The new nodes are in place a moment before the line that says so is written: wait for both.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.clusters().get("c").nodes().size() == 2
                    && log.toString(StandardCharsets.UTF_8).contains("sluice: reload (file changed) applied"));

            Files.writeString(file, "clusters: [ { name: c, backends: [ { address: \"" + a.address() + "\" } ]\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.toString(StandardCharsets.UTF_8).contains("refused"));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("not valid YAML"));
            assertEquals(2, server.clusters().get("c").nodes().size(), "a broken save changes nothing");
        }
    }

    @Test
    void aReloadAskedForWhileStoppingIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        LoadedConfig loaded = write(file, config("0s", a.address()));
        try (SluiceServer server = SluiceServer.start(loaded.config(), loaded.sourceMap(), Ticker.SYSTEM)) {
            Reloader reloader = reloader(file, loaded, server);
            reloader.close(); // as a drain does first
            Reloader.Outcome outcome = reloader.reload("SIGHUP").get(5, TimeUnit.SECONDS);
            assertEquals(Reloader.Outcome.Status.REFUSED, outcome.status());
            assertEquals(java.util.List.of("Sluice is stopping"), outcome.lines());
        }
    }

    @Test
    void sighupReloadsARunningProcess(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path file = dir.resolve("sluice.yaml");
        String first = config("0s", a.address()).replace("127.0.0.1:0\" } ]\n", "127.0.0.1:" + port + "\" } ]\n");
        Files.writeString(file, first);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/sluice.jar").toString(), "--config", file.toString()).redirectErrorStream(true).start();
        ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("Admin port on")) {
                output.add(line);
            }
            Thread reader = new Thread(() -> {
                try {
                    out.lines().forEach(output::add);
                } catch (java.io.UncheckedIOException closed) {
                    // the child is gone
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
            InetSocketAddress sluice = new InetSocketAddress("127.0.0.1", port);

            Files.writeString(file, first.replace("{ address: \"" + a.address() + "\" }",
                    "{ address: \"" + a.address() + "\" }, { address: \"" + b.address() + "\" }"));
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor());
            await().atMost(Duration.ofSeconds(10)).until(() -> output.stream().anyMatch(l -> l.contains("reload (SIGHUP) applied")));
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (RawHttp raw = new RawHttp(sluice)) {
                    return raw.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().body().equals("b");
                }
            });
            assertTrue(p.isAlive(), "SIGHUP reloads, it does not stop Sluice");
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
