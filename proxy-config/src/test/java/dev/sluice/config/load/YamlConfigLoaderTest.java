package dev.sluice.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.model.BalancerKind;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.UpstreamProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YamlConfigLoaderTest {

    /** The configuration contract, beside the clone as CI lays it out; conf/sluice.yaml is its copy. */
    private static final Path CONTRACT = Path.of("../../shared/sluice.example.yaml");

    @Test
    void contractFileLoadsWithEveryKeyAsWritten() throws Exception {
        Path file = Files.exists(CONTRACT) ? CONTRACT : Path.of("../conf/sluice.yaml");
        ProxyConfig c = YamlConfigLoader.load(file).config();

        assertEquals(0, c.server().eventLoopThreads());
        assertEquals(Duration.ofSeconds(5), c.server().drainTimeout());
        assertEquals("public", c.listeners().get(0).name());
        assertEquals(8080, c.listeners().get(0).bind().port());
        assertEquals("/etc/sluice/tls.crt", c.listeners().get(0).tls().certificate());
        assertEquals(16 * 1024, c.listeners().get(0).maxHeaderBytes().bytes());
        assertEquals(5L << 20, c.listeners().get(0).maxRequestBodyBytes().bytes());
        assertEquals(Duration.ofSeconds(60), c.listeners().get(0).idleTimeout());
        assertEquals(1.3, c.admin().hotSpotFactor());
        assertEquals(4096, c.shedding().maxInFlight());
        assertEquals(400, c.rateLimits().perIp().burst());
        assertEquals(100_000, c.rateLimits().perIp().maxTracked());
        assertEquals("X-Tenant-Id", c.rateLimits().perPartition().key().header());
        assertEquals(5000.0, c.rateLimits().perPartition().overrides().get("tenant-big").rate().perSecond());
        assertEquals("api.example.com", c.routes().get(0).match().host());
        assertEquals("/orders", c.routes().get(0).match().pathPrefix());

        ClusterConfig orders = c.clusters().get(0);
        assertEquals(BalancerKind.CONSISTENT_HASH, orders.balancer());
        assertEquals("X-User-Id", orders.hash().key().header());
        assertEquals(160, orders.hash().virtualNodes());
        assertEquals(1.25, orders.hash().balanceFactor());
        assertEquals(UpstreamProtocol.HTTP1, orders.protocol());
        assertEquals(10, orders.slowStart().minWeightPercent());
        assertEquals(3, orders.healthCheck().unhealthyThreshold());
        assertEquals(Duration.ofSeconds(30), orders.outlierDetection().baseEjection());
        assertEquals(Duration.ofMillis(250), orders.circuitBreaker().latencySlo());
        assertEquals(Duration.ofSeconds(5), orders.retries().backoff().max());
        assertEquals(256, orders.pool().maxConnectionsPerNode());
        assertEquals("orders-3.internal", orders.backends().get(2).address().host());
        assertEquals(2, orders.backends().get(2).weight());

        ClusterConfig web = c.clusters().get(1);
        assertEquals(BalancerKind.DRR, web.balancer());
        assertEquals(1, web.backends().get(0).weight());
        assertNull(web.healthCheck());
        assertTrue(c.accessLog().enabled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sluice.yaml", "sidecar.yaml", "demo.yaml"})
    void shippedConfigurationsAreValid(String name) throws Exception {
        YamlConfigLoader.load(Path.of("../conf", name));
    }

    @Test
    void conciseFileGetsDefaults() throws Exception {
        LoadedConfig loaded = YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "127.0.0.1:9000" } ] } ]
                """, "test");
        ProxyConfig c = loaded.config();
        assertEquals(Duration.ofSeconds(30), c.listeners().get(0).requestTimeout());
        assertEquals(Duration.ofSeconds(10), c.listeners().get(0).headerTimeout());
        assertEquals("127.0.0.1:9901", c.admin().bind().toString());
        assertEquals(BalancerKind.DRR, c.clusters().get(0).balancer());
        assertEquals(Duration.ofSeconds(15), c.clusters().get(0).timeouts().response());
        assertEquals(Duration.ofSeconds(30), c.clusters().get(0).slowStart().window());
        assertNull(c.rateLimits().perIp());
        assertNull(c.listeners().get(0).tls());
        assertTrue(loaded.sourceMap().isPresent("clusters[0].backends[0].address"));
        assertEquals(3, loaded.sourceMap().line("clusters[0].timeouts.response"));
    }

    @Test
    void brokenFileListsEveryProblemWithItsLine() {
        String yaml = """
                listeners:
                  - name: public
                    bind: 0.0.0.0:8080
                    maxHeaderBytes: lots
                    requestTimout: 30s
                  - name: public
                    bind: 127.0.0.1:8080
                admin:
                  bind: 127.0.0.1:8080
                routes:
                  - match: { pathPrefix: / }
                    cluster: nowhere
                clusters:
                  - name: web
                    balancer: random
                    backends:
                      - { address: 10.0.0.1 }
                      - { address: 10.0.0.2:80, weight: -3 }
                      - { address: 10.0.0.2:80 }
                  - name: web
                    timeouts: { connect: 1s, connect: 2s }
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(yaml, "broken.yaml"));
        List<String> got = e.problems().stream().map(ConfigProblem::toString).toList();
        List<String> expected = List.of(
                "listeners[0].maxHeaderBytes (line 4): \"lots\" (expected: a size such as 512B, 16KiB, 5MiB or 1GiB)",
                "listeners[0].requestTimout (line 5): unknown key (expected one of: name, bind, tls, maxConnections, maxConnectionsPerIp, "
                        + "maxHeaderBytes, maxRequestBodyBytes, requestTimeout, headerTimeout, idleTimeout, http2, pathNormalization)",
                "listeners[1].name (line 6): \"public\" (expected: a unique name; also used at line 2)",
                "listeners[1].bind (line 7): 127.0.0.1:8080 (expected: an address no other listener binds; listeners[0] has it)",
                "admin.bind (line 9): 127.0.0.1:8080 (expected: an address apart from public listener public at 0.0.0.0:8080)",
                "admin.bind (line 9): 127.0.0.1:8080 (expected: an address apart from public listener public at 127.0.0.1:8080)",
                "routes[0].cluster (line 12): \"nowhere\" (expected: the name of a cluster: web)",
                "clusters[0].balancer (line 15): \"random\" (expected: drr, least-connections, consistent-hash, peak-ewma, prequal)",
                "clusters[0].backends[0].address (line 17): \"10.0.0.1\" (expected: host:port)",
                "clusters[0].backends[1].weight (line 18): -3 (expected: >= 1)",
                "clusters[0].backends[2].address (line 19): 10.0.0.2:80 (expected: each address once; backends[1] has it)",
                "clusters[1].name (line 20): \"web\" (expected: a unique name; also used at line 14)",
                "clusters[1].timeouts.connect (line 21): duplicate key");
        assertEquals(expected, got);
        assertTrue(e.getMessage().startsWith("broken.yaml: 13 problems"), e.getMessage());
    }

    @Test
    void missingRequiredKeysAndWrongShapes() {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load("""
                listeners:
                  - bind: [1, 2]
                server: 5
                clusters: {}
                """, "t"));
        List<String> got = e.problems().stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                "routes (line 1): required key is missing",
                "listeners[0].name (line 2): required key is missing",
                "listeners[0].bind (line 2): expected host:port, found a list",
                "server (line 3): expected a mapping of keys, found \"5\"",
                "clusters (line 4): expected a list, found a mapping"), got);
    }

    @Test
    void syntaxErrorNamesItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load("listeners:\n  - name: [a\nroutes: x\n", "t"));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).line() >= 2, e.getMessage());
        assertTrue(e.problems().get(0).message().startsWith("not valid YAML"), e.getMessage());
    }

    @Test
    void keySourceNeedsExactlyOneSource() {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                rateLimits:
                  perPartition:
                    key: { header: X-Tenant, cookie: t }
                    overrides:
                      "bad key!": { rate: 1/s, burst: 1 }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, balancer: drr, hash: { virtualNodes: 10 } } ]
                """, "t"));
        List<String> got = e.problems().stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                "rateLimits.perPartition.key (line 4): 2 sources (expected: exactly one of header, cookie, query, pathSegment)",
                "rateLimits.perPartition.overrides.bad key! (line 6): \"bad key!\" (expected: at most maxKeyLength characters of [A-Za-z0-9._:-])",
                "clusters[0].hash (line 8): set on a drr cluster (expected: only with balancer: consistent-hash)"), got);
    }

    @Test
    void latencyAwareBalancersNameWhatIsNotBuiltAndWhatIsMisplaced() {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                routes: [ { match: { pathPrefix: / }, cluster: p } ]
                clusters:
                  - { name: p, balancer: prequal, prequal: { probe: { path: /load, interval: 50ms } } }
                  - { name: d, balancer: drr, peakEwma: { decay: 5s } }
                  - { name: e, balancer: peak-ewma, peakEwma: { decay: 0s }, loadReports: { expiration: 0s } }
                """, "t"));
        List<String> got = e.problems().stream().map(ConfigProblem::toString).toList();
        assertEquals(List.of(
                "clusters[0].prequal.probe (line 4): unknown key (expected one of: hotQuantile, poolSize)",
                "clusters[1].peakEwma (line 5): set on a drr cluster (expected: only with balancer: peak-ewma)",
                "clusters[2].peakEwma.decay (line 6): 0s (expected: a duration above zero)",
                "clusters[2].loadReports.expiration (line 6): 0s (expected: a duration above zero)"), got);
    }
}
