package dev.sluice.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.core.testing.H2Backend;
import dev.sluice.core.testing.RawHttp;
import dev.sluice.core.testing.RunningSluice;
import dev.sluice.core.testing.TestCertificates.Authority;
import dev.sluice.core.testing.TestCertificates.Issued;
import dev.sluice.core.testing.TestCertificates.KeyFormat;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clusters[].tls} end to end: Sluice speaks TLS to a real HTTPS backend (the JDK's server)
 * that requires a client certificate from the mesh's authority, checks the backend's chain and
 * name, and answers 502 when either side's certificate is wrong. Certificates are made at test time.
 */
class UpstreamTlsIT {

    @TempDir
    static Path dir;
    private static Authority mesh;
    private static HttpsServer backend;
    private static String address;

    @BeforeAll
    static void start() throws Exception {
        mesh = Authority.root("Mesh Root");
        mesh.writeCertificate(dir.resolve("mesh.crt"));
        Issued server = mesh.issue("orders.internal");
        backend = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.setHttpsConfigurator(new HttpsConfigurator(mesh.client(server)) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true); // mutual TLS: no client certificate from the mesh, no connection
                params.setSSLParameters(p);
            }
        });
        backend.createContext("/", exchange -> {
            String who;
            try {
                who = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0])
                        .getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                who = "nobody";
            }
            byte[] body = who.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.setExecutor(Executors.newFixedThreadPool(2));
        backend.start();
        address = "127.0.0.1:" + backend.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        backend.stop(0);
    }

    private static RunningSluice sluice(String tls) throws Exception {
        return RunningSluice.start("""
                listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                admin: { bind: "127.0.0.1:0" }
                routes: [ { match: { pathPrefix: / }, cluster: orders } ]
                clusters: [ { name: orders, tls: %s, backends: [ { address: "%s" } ] } ]
                """.formatted(tls, address));
    }

    private static RawHttp.Response get(RunningSluice sluice) throws Exception {
        try (RawHttp c = new RawHttp(sluice.address())) {
            return c.send("GET /order/1 HTTP/1.1\r\nHost: edge\r\n\r\n").read();
        }
    }

    @Test
    void sluicePresentsItsMeshCertificateAndChecksTheBackends() throws Exception {
        Issued me = mesh.issue("sluice.internal");
        String tls = "{ trustedCertificates: \"%s\", certificate: \"%s\", privateKey: \"%s\", serverName: orders.internal }".formatted(
                dir.resolve("mesh.crt"), me.writeChain(dir.resolve("me.crt")), me.writeKey(dir.resolve("me.key"), KeyFormat.SEC1_EC));
        try (RunningSluice sluice = sluice(tls)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = get(sluice);
                assertEquals(200, r.status(), r.body());
                assertEquals("CN=sluice.internal", r.body(), "the backend saw Sluice's client certificate");
            }
        }
    }

    @Test
    void aClientCertificateTheBackendDoesNotTrustIs502() throws Exception {
        Issued stranger = Authority.root("Not The Mesh").issue("sluice.internal");
        String tls = "{ trustedCertificates: \"%s\", certificate: \"%s\", privateKey: \"%s\", serverName: orders.internal }".formatted(
                dir.resolve("mesh.crt"), stranger.writeChain(dir.resolve("stranger.crt")),
                stranger.writeKey(dir.resolve("stranger.key"), KeyFormat.PKCS8));
        try (RunningSluice sluice = sluice(tls)) {
            RawHttp.Response r = get(sluice);
            assertEquals(502, r.status(), r.body());
        }
    }

    @Test
    void aBackendWhoseNameDoesNotMatchIs502WithTheReason() throws Exception {
        Issued me = mesh.issue("sluice.internal");
        String tls = "{ trustedCertificates: \"%s\", certificate: \"%s\", privateKey: \"%s\", serverName: payments.internal }".formatted(
                dir.resolve("mesh.crt"), me.writeChain(dir.resolve("me2.crt")), me.writeKey(dir.resolve("me2.key"), KeyFormat.PKCS8));
        try (RunningSluice sluice = sluice(tls)) {
            RawHttp.Response r = get(sluice);
            assertEquals(502, r.status(), r.body());
            assertTrue(r.body().startsWith("TLS handshake with " + address + " failed: "), r.body());
        }
    }

    @Test
    void aBackendOutsideTheTrustedAuthoritiesIs502() throws Exception {
        Authority other = Authority.root("Other Root");
        Issued me = mesh.issue("sluice.internal");
        String tls = "{ trustedCertificates: \"%s\", certificate: \"%s\", privateKey: \"%s\", serverName: orders.internal }".formatted(
                other.writeCertificate(dir.resolve("other.crt")), me.writeChain(dir.resolve("me3.crt")),
                me.writeKey(dir.resolve("me3.key"), KeyFormat.PKCS8));
        try (RunningSluice sluice = sluice(tls)) {
            RawHttp.Response r = get(sluice);
            assertEquals(502, r.status(), r.body());
            assertTrue(r.body().startsWith("TLS handshake with " + address + " failed: "), r.body());
        }
    }

    /** protocol: h2 with tls: ALPN chooses h2, and requests go as streams over the verified connection. */
    @Test
    void anH2ClusterWithTlsNegotiatesH2ThroughAlpn() throws Exception {
        Issued server = mesh.issue("grpc.internal");
        SslContext h2Server = SslContextBuilder.forServer(server.writeChain(dir.resolve("h2.crt")).toFile(),
                        server.writeKey(dir.resolve("h2.key"), KeyFormat.PKCS8).toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        try (H2Backend h2 = H2Backend.startTls("h2", 100, h2Server);
                RunningSluice sluice = RunningSluice.start("""
                        server: { eventLoopThreads: 1 }
                        listeners: [ { name: edge, bind: "127.0.0.1:0" } ]
                        admin: { bind: "127.0.0.1:0" }
                        routes: [ { match: { pathPrefix: / }, cluster: h2 } ]
                        clusters:
                          - name: h2
                            protocol: h2
                            tls: { trustedCertificates: "%s", serverName: grpc.internal }
                            backends: [ { address: "%s" } ]
                        """.formatted(dir.resolve("mesh.crt"), h2.address()))) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = get(sluice);
                assertEquals(200, r.status(), r.body());
                assertEquals(H2Backend.body("h2", ""), r.body());
            }
            assertEquals(1, h2.connections(), "three requests, one multiplexed TLS connection (one event loop, one pool)");
        }
    }
}
