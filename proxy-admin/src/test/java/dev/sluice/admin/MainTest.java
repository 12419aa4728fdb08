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
    void checkAcceptsTheShippedConfigurations() {
        assertEquals(0, run("--check", "../conf/sluice.yaml"), err.toString());
        assertTrue(out.toString().contains("../conf/sluice.yaml: ok"), out.toString());
        assertEquals("", err.toString());
        assertEquals(0, run("--check", "../conf/demo.yaml"));
        assertEquals(0, run("--check", "../conf/sidecar.yaml"));
    }

    /**
     * Issue 10, defect 13: a configured feature must never be served as something else; a TLS
     * listener whose certificate cannot be read is a problem named by key and line, never cleartext.
     */
    @Test
    void aTlsListenerWhoseFilesCannotBeReadIsAProblemNamedByKeyAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tls.yaml");
        Files.writeString(file, """
                listeners:
                  - name: edge
                    bind: "127.0.0.1:0"
                    tls: { certificate: /etc/sluice/tls.crt, privateKey: /etc/sluice/tls.key }
                routes: [ { match: { pathPrefix: / }, cluster: grpc } ]
                clusters:
                  - name: grpc
                    protocol: h2
                    backends: [ { address: "127.0.0.1:9000" } ]
                """);
        assertEquals(1, run("--check", file.toString()));
        String e = err.toString();
        assertTrue(e.contains(file + ": 1 problem"), e);
        assertTrue(e.contains("listeners[0].tls (line 4): /etc/sluice/tls.crt cannot be read"), e);
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
