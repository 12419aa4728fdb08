package dev.sluice.core.tls;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.model.UpstreamProtocol;
import dev.sluice.config.model.UpstreamTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS from Sluice to one cluster's backends ({@code clusters[].tls}): TLS 1.3 and 1.2, the
 * backend's chain checked against {@code trustedCertificates} (or the JDK's authorities) and its
 * name against {@code serverName} (or the backend's host), which is also sent as SNI; a client
 * certificate when one is configured, for backends that require mutual TLS. Immutable; shared by
 * the cluster's connections and health checks.
 */
public final class UpstreamTls {

    private final SslContext context;
    private final @Nullable String serverName;

    private UpstreamTls(SslContext context, @Nullable String serverName) {
        this.context = requireNonNull(context, "context");
        this.serverName = serverName;
    }

    /** The TLS of cluster {@code index}, or null with the reason in {@code problems} when a file does not load. */
    public static @Nullable UpstreamTls forCluster(ClusterConfig c, int index, SourceMap lines, SslProvider provider,
            List<ConfigProblem> problems) {
        UpstreamTlsConfig tls = requireNonNull(c.tls(), "tls");
        String path = "clusters[" + index + "].tls";
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm(tls.verify() ? "HTTPS" : null)
                    .applicationProtocolConfig(TlsProvider.alpn(
                            c.protocol() == UpstreamProtocol.H2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
            if (!tls.verify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.trustedCertificates() != null) {
                b.trustManager(ServerCertificates.readable(tls.trustedCertificates()));
            }
            if (tls.certificate() != null) {
                b.keyManager(ServerCertificates.readable(tls.certificate()), ServerCertificates.readable(tls.privateKey()));
            }
            return new UpstreamTls(b.build(), tls.serverName());
        } catch (IOException | IllegalArgumentException e) {
            problems.add(new ConfigProblem(path, lines.line(path), e.getMessage()));
            return null;
        }
    }

    /** A TLS handler for a connection to {@code backend}; the handshake starts when the connection does. */
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort backend) {
        return context.newHandler(alloc, serverName != null ? serverName : backend.host(), backend.port());
    }
}
