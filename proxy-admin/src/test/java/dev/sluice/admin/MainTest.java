package dev.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void checkAcceptsTheShippedConfigurationsAndWarnsAboutWhatIsNotBuiltYet() {
        assertEquals(0, run("--check", "../conf/sluice.yaml"), err.toString());
        assertTrue(out.toString().contains("../conf/sluice.yaml: ok"), out.toString());
        String warnings = err.toString();
        assertTrue(!warnings.contains("admin (line"), "the admin port is served:\n" + warnings);
        assertTrue(!warnings.contains("rateLimits") && !warnings.contains("shedding"), "ingress protection is implemented:\n" + warnings);
        assertTrue(warnings.contains("listeners[0].tls (line 12): TLS is not implemented yet; the listener serves cleartext"), warnings);
        assertTrue(!warnings.contains("retries") && !warnings.contains("drainTimeout"), "retries and drain are implemented:\n" + warnings);
        assertTrue(!warnings.contains("healthCheck") && !warnings.contains("outlierDetection") && !warnings.contains("circuitBreaker"),
                "health, ejection and breakers are implemented:\n" + warnings);
        assertTrue(!warnings.contains("balancer") && !warnings.contains("slowStart") && !warnings.contains(".hash"),
                "balancers, slow start and hashing are implemented:\n" + warnings);
        assertEquals(0, run("--check", "../conf/demo.yaml"));
        assertEquals(0, run("--check", "../conf/sidecar.yaml"));
    }

    @Test
    void checkListsEveryProblemAndExitsOne(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                listeners:
                  - { name: edge, bind: "0.0.0.0:8080", idleTimeout: forever }
                admin: { bind: "127.0.0.1:8080" }
                routes: [ { match: { pathPrefix: / }, cluster: web } ]
                clusters: [ { name: api, backends: [ { address: "10.0.0.1:80", weight: 0 } ] } ]
                """);
        assertEquals(1, run("--check", bad.toString()));
        String e = err.toString();
        assertTrue(e.contains(bad + ": 4 problems"), e);
        assertTrue(e.contains("listeners[0].idleTimeout (line 2): \"forever\" (expected: a duration such as 250ms, 30s, 2m or 1h)"), e);
        assertTrue(e.contains("admin.bind (line 3): 127.0.0.1:8080 (expected: an address apart from public listener edge at 0.0.0.0:8080)"), e);
        assertTrue(e.contains("routes[0].cluster (line 4): \"web\" (expected: the name of a cluster: api)"), e);
        assertTrue(e.contains("clusters[0].backends[0].weight (line 5): 0 (expected: >= 1)"), e);
    }

    @Test
    void checkOfAMissingFileExitsOne() {
        assertEquals(1, run("--check", "/nonexistent/sluice.yaml"));
        assertTrue(err.toString().contains("cannot read file"), err.toString());
    }

    @Test
    void helpAndUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("--demo"));
        assertEquals(2, run("--frobnicate"));
        assertTrue(err.toString().startsWith("sluice: cannot understand --frobnicate"), err.toString());
        assertEquals(2, run());
    }
}
