package dev.sluice.core.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.metrics.ClientErrors;
import dev.sluice.core.testing.CapturedLog;
import dev.sluice.core.testing.DebianTools;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestBackend;
import dev.sluice.core.testing.TestCertificates.Authority;
import dev.sluice.core.testing.TestCertificates.Issued;
import dev.sluice.core.testing.TestCertificates.KeyFormat;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination end to end: a real Sluice with certificates made at test time (an EC default
 * pair sent with its intermediate, a PKCS#1 RSA pair and an EC pair chosen by SNI), a real
 * backend, and real clients: the JDK's {@code HttpClient}, curl, raw TLS and raw cleartext sockets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private Path dir;
    private Authority root;
    private Authority intermediate;
    private TestBackend backend;
    private RunningSluice sluice;
    private Path defaultCert;
    private Path defaultKey;
    private CapturedLog log;

    /** Whether this run uses the JDK's TLS provider instead of BoringSSL (see {@link JdkTlsIT}). */
    boolean jdkProvider() {
        return false;
    }

    /** Starts a Sluice with this run's TLS provider. */
    private RunningSluice startSluice(String yaml) throws Exception {
        if (jdkProvider()) {
            System.setProperty("sluice.tls.provider", "jdk");
        }
        try {
            return RunningSluice.start(yaml);
        } finally {
            System.clearProperty("sluice.tls.provider");
        }
    }

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        log = CapturedLog.start();
        root = Authority.root("Sluice Test Root");
        intermediate = root.intermediate("Sluice Test Intermediate");
        Issued fallback = intermediate.issue("localhost", "default.example");
        defaultCert = fallback.writeChain(dir.resolve("default.crt"));
        defaultKey = fallback.writeKey(dir.resolve("default.key"), KeyFormat.PKCS8);
        Issued a = root.issueRsa("a.example");
        Issued b = root.issue("*.b.example");
        root.writeCertificate(dir.resolve("root.crt"));
        backend = TestBackend.start("backend");
        sluice = startSluice("""
                listeners:
                  - name: secure
                    bind: "127.0.0.1:0"
                    tls:
                      certificate: "%s"
                      privateKey: "%s"
                      sni:
                        - { serverNames: [ a.example ], certificate: "%s", privateKey: "%s" }
                        - { serverNames: [ "*.b.example" ], certificate: "%s", privateKey: "%s" }
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(defaultCert, defaultKey, a.writeChain(dir.resolve("a.crt")), a.writeKey(dir.resolve("a.key"), KeyFormat.PKCS1_RSA),
                b.writeChain(dir.resolve("b.crt")), b.writeKey(dir.resolve("b.key"), KeyFormat.SEC1_EC), backend.address()));
    }

    @AfterAll
    void stop() throws Exception {
        log.close();
        sluice.close();
        backend.close();
    }

    private URI uri(String host) {
        return URI.create("https://" + host + ":" + sluice.address().getPort() + "/hello");
    }

    @Test
    void theJdkClientNegotiatesH2ThroughAlpnAndTheBackendIsToldHttps() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().sslContext(root.trustingClient()).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(uri("localhost")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "ALPN chose h2");
        TestBackend.Seen seen = backend.seen().get(backend.seen().size() - 1);
        assertEquals("https", seen.headers().get("x-forwarded-proto"));

        HttpClient h1 = HttpClient.newBuilder().sslContext(root.trustingClient()).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r1 = h1.send(HttpRequest.newBuilder(uri("localhost")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r1.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, r1.version(), "a client that offers only http/1.1 gets it");
    }

    @Test
    void curlGetsH2OrHttp11AsItAsks() throws Exception {
        int port = sluice.address().getPort();
        String h2 = curl("--http2", "--cacert", dir.resolve("root.crt").toString(), "--resolve", "a.example:" + port + ":127.0.0.1",
                "https://a.example:" + port + "/hello");
        assertEquals("200 2", h2, "curl --http2 over TLS: ALPN h2, the PKCS#1 RSA pair chosen by SNI and trusted");
        String h1 = curl("--http1.1", "--cacert", dir.resolve("root.crt").toString(), "--resolve", "x.b.example:" + port + ":127.0.0.1",
                "https://x.b.example:" + port + "/hello");
        assertEquals("200 1.1", h1, "curl --http1.1: HTTP/1.1, the EC pair of the wildcard name");
    }

    private static String curl(String... args) throws Exception {
        DebianTools.need("curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "curl failed: " + out);
        return out;
    }

    @Test
    void sniPicksTheCertificateOfEachNameAndTheDefaultPairServesTheRest() throws Exception {
        assertEquals("CN=a.example", offered("a.example").getSubjectX500Principal().getName());
        assertEquals("CN=*.b.example", offered("api.b.example").getSubjectX500Principal().getName());
        X509Certificate fallback = offered("other.example");
        assertEquals("CN=localhost", fallback.getSubjectX500Principal().getName(), "an unknown name gets the default pair");
    }

    @Test
    void theDefaultPairIsSentWithItsIntermediate() throws Exception {
        try (SSLSocket s = handshake("localhost", root.trustingClient())) {
            assertEquals(2, s.getSession().getPeerCertificates().length, "leaf and intermediate; the client trusts only the root");
        }
    }

    @Test
    void aCertificateReplacedOnDiskIsServedOnTheNextConnectionAndOpenOnesKeepTheirs() throws Exception {
        Path cert = dir.resolve("rotating.crt");
        Path key = dir.resolve("rotating.key");
        Issued first = root.issue("rotate.example");
        first.writeChain(cert);
        first.writeKey(key, KeyFormat.PKCS8);
        try (RunningSluice rotating = startSluice("""
                listeners: [ { name: r, bind: "127.0.0.1:0", tls: { certificate: "%s", privateKey: "%s" } } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "%s" } ] } ]
                """.formatted(cert, key, backend.address()));
                SSLSocket open = handshake(rotating, "rotate.example", root.trustingClient())) {
            assertEquals(first.serial(), serial(open));
            Issued second = root.issue("rotate.example");
            second.writeKey(key, KeyFormat.PKCS8);
            second.writeChain(cert);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (SSLSocket next = handshake(rotating, "rotate.example", root.trustingClient())) {
                    return serial(next).equals(second.serial());
                } catch (SSLHandshakeException halfWritten) {
                    return false; // the key was written, the certificate not yet: the old pair still serves
                }
            });
            // The connection opened before the change still works, with its certificate.
            OutputStream out = open.getOutputStream();
            out.write("GET /still HTTP/1.1\r\nHost: rotate.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readHead(open.getInputStream()).startsWith("HTTP/1.1 200"));
            assertEquals(first.serial(), serial(open));
        }
    }

    @Test
    void aSecondConnectionResumesTheSessionWithATicket() throws Exception {
        Path session = dir.resolve("session-" + jdkProvider() + ".pem");
        String first = openssl("-sess_out", session.toString());
        assertTrue(first.contains("New, TLSv1.3"), first);
        String second = openssl("-sess_in", session.toString());
        assertTrue(second.contains("Reused, TLSv1.3"), "no full handshake the second time: " + second);
    }

    /** One request over {@code openssl s_client} (the session is read or written as {@code args} say); its report. */
    private String openssl(String... args) throws Exception {
        DebianTools.need("openssl");
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + sluice.address().getPort(),
                "-servername", "localhost", "-CAfile", dir.resolve("root.crt").toString(), "-verify_return_error", "-ign_eof"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "openssl did not finish: " + out);
        return out;
    }

    @Test
    void plainHttpToTheTlsPortIsAnswered400InCleartextAndClosed() throws Exception {
        long before = sluice.server().ingress().clientErrors().get(ClientErrors.TLS_PLAINTEXT);
        try (Socket s = new Socket("127.0.0.1", sluice.address().getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
            assertTrue(answer.endsWith("plain HTTP sent to a TLS port: use https\n"), answer);
        }
        assertEquals(before + 1, sluice.server().ingress().clientErrors().get(ClientErrors.TLS_PLAINTEXT));
    }

    @Test
    void aFailedHandshakeIsCountedAndLoggedAsOneLineWithoutAStackTrace() throws Exception {
        long before = sluice.server().ingress().clientErrors().get(ClientErrors.TLS_HANDSHAKE);
        SSLContext stranger = Authority.root("Someone Else").trustingClient();
        assertThrows(SSLHandshakeException.class, () -> handshake("localhost", stranger).close());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> sluice.server().ingress().clientErrors().get(ClientErrors.TLS_HANDSHAKE) == before + 1);
        List<LogRecord> lines = log.of("ConnectionErrors");
        assertTrue(!lines.isEmpty(), "the failure is logged");
        for (LogRecord r : lines) {
            assertNull(r.getThrown(), "a client's failed handshake logged a stack trace: " + r.getMessage());
        }
    }

    /** The leaf certificate the server offers for {@code serverName}, whatever the client would make of it. */
    private X509Certificate offered(String serverName) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        X509Certificate[] seen = new X509Certificate[1];
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", sluice.address().getPort())) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(serverName)));
            s.setSSLParameters(p);
            s.startHandshake();
        }
        return seen[0];
    }

    private SSLSocket handshake(String serverName, SSLContext ctx) throws Exception {
        return handshake(sluice, serverName, ctx);
    }

    private static SSLSocket handshake(RunningSluice target, String serverName, SSLContext ctx) throws Exception {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", target.address().getPort());
        s.setSoTimeout(5000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(serverName)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        try {
            s.startHandshake();
        } catch (SSLHandshakeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static BigInteger serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
