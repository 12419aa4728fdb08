package dev.sluice.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.model.HostPort;
import dev.sluice.core.testing.DebianTools;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.upstream.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Debian's package): the page loads, draws one bar per
 * node, and marks the node the test makes hot. Skipped on a developer machine without Chromium;
 * under CI=true, .ci/run installs it and a missing browser fails the test.
 */
class DashboardIT {

    @Test
    void theDashboardDrawsABarPerNodeAndMarksTheHotOne(@TempDir Path profile) throws Exception {
        Path chromium = DebianTools.need("chromium");
        try (TestBackend a = TestBackend.start("a"); TestBackend b = TestBackend.start("b"); TestBackend c = TestBackend.start("c");
                RunningSluice sluice = RunningSluice.start("""
                        listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                        admin: { bind: "127.0.0.1:0" }
                        accessLog: { enabled: false }
                        routes: [ { match: { pathPrefix: / }, cluster: keyed } ]
                        clusters:
                          - name: keyed
                            balancer: consistent-hash
                            hash: { key: { header: X-User-Id } }
                            backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                        """.formatted(a.address(), b.address(), c.address()));
                AdminServer admin = new AdminServer(sluice.server(), new HostPort("127.0.0.1", 0))) {
            try (RawHttp raw = new RawHttp(sluice.address())) {
                for (int i = 0; i < 300; i++) {
                    raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: " + (i % 4 == 0 ? "user-" + i : "celebrity") + "\r\n\r\n").read();
                }
            }
            var nodes = sluice.server().clusters().get("keyed").nodes();
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().filter(Node::hot).count() == 1);
            String hot = nodes.stream().filter(Node::hot).findFirst().orElseThrow().address().toString();

            Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom",
                    "http://127.0.0.1:" + admin.address().getPort() + "/").start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
            String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            Matcher rows = Pattern.compile("<div class=\"node( hot)?( down)?\" data-node=\"([^\"]+)\">").matcher(dom);
            int count = 0;
            int hotRows = 0;
            String hotNode = null;
            while (rows.find()) {
                count++;
                if (rows.group(1) != null) {
                    hotRows++;
                    hotNode = rows.group(3);
                }
            }
            assertEquals(3, count, "one row per node:\n" + dom);
            assertEquals(3, dom.split("class=\"bar\"", -1).length - 1, "one bar per node");
            assertEquals(1, hotRows, dom);
            assertEquals(hot, hotNode);
        }
    }

    /**
     * The page against {@code /stats} read right after it: the split key and its nodes, the picks by
     * rule and the refusals by reason are the same figures.
     */
    @Test
    void splitKeysPicksAndRefusalsMatchStats(@TempDir Path profile) throws Exception {
        Path chromium = DebianTools.need("chromium");
        try (TestBackend a = TestBackend.start("a"); TestBackend b = TestBackend.start("b"); TestBackend c = TestBackend.start("c");
                TestBackend d = TestBackend.start("d");
                RunningSluice sluice = RunningSluice.start("""
                        listeners: [ { name: test, bind: "127.0.0.1:0" } ]
                        admin: { bind: "127.0.0.1:0" }
                        accessLog: { enabled: false }
                        rateLimits:
                          perPartition: { key: { header: X-Tenant-Id }, rate: 1/m, burst: 2 }
                        routes: [ { match: { pathPrefix: / }, cluster: users } ]
                        clusters:
                          - name: users
                            balancer: consistent-hash
                            hash: { key: { header: X-User-Id }, hotKeys: { } }
                            backends: [ { address: "%s" }, { address: "%s" }, { address: "%s" }, { address: "%s" } ]
                        """.formatted(a.address(), b.address(), c.address(), d.address()));
                AdminServer admin = new AdminServer(sluice.server(), new HostPort("127.0.0.1", 0))) {
            var users = sluice.server().clusters().get("users");
            try (RawHttp raw = new RawHttp(sluice.address())) {
                for (int i = 0; i < 200; i++) {
                    raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: " + (i % 2 == 0 ? "user-" + i : "celebrity") + "\r\n\r\n").read();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> !users.hotKeys().report().isEmpty());
                raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-User-Id: celebrity\r\n\r\n").read(); // its label, seen split
                for (int i = 0; i < 5; i++) {
                    raw.send("GET / HTTP/1.1\r\nHost: t\r\nX-Tenant-Id: noisy\r\n\r\n").read(); // 2 pass, 3 get 429
                }
            }
            String dom = dump(chromium, profile, admin);
            var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + admin.address().getPort() + "/stats"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            var cluster = stats.get("clusters").get(0);

            var split = cluster.get("splitKeys").get(0);
            assertEquals("celebrity", split.get("key").asText());
            java.util.List<String> nodes = new java.util.ArrayList<>();
            split.get("nodes").forEach(n -> nodes.add(n.asText()));
            assertEquals(3, nodes.size());
            assertTrue(dom.contains("data-key=\"celebrity\" data-nodes=\"" + String.join(",", nodes) + "\""), dom);

            var picks = cluster.get("picks");
            assertTrue(picks.get("hot-key-split").asLong() > 0, picks.toString());
            for (var it = picks.fields(); it.hasNext(); ) {
                var rule = it.next();
                assertTrue(dom.contains("data-rule=\"" + rule.getKey() + "\" data-count=\"" + rule.getValue().asLong() + "\""),
                        rule + " in\n" + dom);
            }
            assertEquals(3, stats.get("refused").get("partition").asLong());
            assertTrue(dom.contains("data-reason=\"partition\" data-total=\"3\""), dom);
        }
    }

    private static String dump(Path chromium, Path profile, AdminServer admin) throws Exception {
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom",
                "http://127.0.0.1:" + admin.address().getPort() + "/").start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
