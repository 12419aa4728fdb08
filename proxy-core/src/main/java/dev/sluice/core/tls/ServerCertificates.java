package dev.sluice.core.tls;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.ListenerConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.SniCertificate;
import dev.sluice.config.model.TlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The certificates of one TLS listener: the default pair and the SNI pairs, each built into a
 * server {@link SslContext} (TLS 1.3 and 1.2, the HTTP/2 cipher suites, ALPN {@code h2} then
 * {@code http/1.1}), and the mapping from the client's server name to its context. When a file
 * changes {@link #reloadIfChanged} builds the set anew and swaps it in one step: the next
 * handshake uses the new certificates, open connections keep theirs; a set that fails to build
 * changes nothing. {@link #map} is called from every event loop; the rest from one thread.
 */
public final class ServerCertificates implements Mapping<String, SslContext> {

    private static final System.Logger LOG = System.getLogger(ServerCertificates.class.getName());

    private final String listener;
    private final TlsConfig config;
    private final SslProvider provider;
    private volatile Mapping<String, SslContext> current;
    private List<String> stamps;
    private String lastFailure = "";

    private ServerCertificates(String listener, TlsConfig config, SslProvider provider) throws IOException {
        this.listener = requireNonNull(listener, "listener");
        this.config = requireNonNull(config, "config");
        this.provider = requireNonNull(provider, "provider");
        this.stamps = stamps();
        this.current = build();
    }

    /** Reads and checks every file of {@code config}; throws naming the file that does not do. */
    public static ServerCertificates load(String listener, TlsConfig config, SslProvider provider) throws IOException {
        return new ServerCertificates(listener, config, provider);
    }

    /**
     * The certificates of listener {@code index}, or null with the reason in {@code problems}
     * (named by the listener's {@code tls} key and line) when a file is missing or does not parse.
     */
    public static @Nullable ServerCertificates forListener(ListenerConfig l, int index, SourceMap lines, SslProvider provider,
            List<ConfigProblem> problems) {
        String path = "listeners[" + index + "].tls";
        try {
            return load(l.name(), requireNonNull(l.tls(), "tls"), provider);
        } catch (IOException e) {
            problems.add(new ConfigProblem(path, lines.line(path), e.getMessage()));
            return null;
        }
    }

    /** Every TLS listener's files checked, as {@code --check} does: one problem per listener that does not load. */
    public static List<ConfigProblem> problems(ProxyConfig config, SourceMap lines) {
        List<ConfigProblem> out = new ArrayList<>();
        SslProvider provider = TlsProvider.get();
        for (int i = 0; i < config.listeners().size(); i++) {
            if (config.listeners().get(i).tls() != null) {
                forListener(config.listeners().get(i), i, lines, provider, out);
            }
        }
        return out;
    }

    @Override
    public SslContext map(String serverName) {
        return current.map(serverName);
    }

    /**
     * Builds the set anew if a file changed since the last look; returns whether it was swapped.
     * A set that does not build is logged once per change and the running one stays.
     */
    public boolean reloadIfChanged() {
        List<String> now;
        try {
            now = stamps();
        } catch (IOException e) {
            now = List.of(e.getMessage());
        }
        if (now.equals(stamps)) {
            return false;
        }
        try {
            current = build();
            stamps = now;
            lastFailure = "";
            LOG.log(System.Logger.Level.INFO, "tls listener={0}: certificates reloaded", listener);
            return true;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage();
            if (!why.equals(lastFailure)) {
                lastFailure = why;
                LOG.log(System.Logger.Level.WARNING, "tls listener={0}: changed certificates not loaded, the previous ones stay: {1}",
                        listener, why);
            }
            return false;
        }
    }

    private Mapping<String, SslContext> build() throws IOException {
        DomainWildcardMappingBuilder<SslContext> names = new DomainWildcardMappingBuilder<>(
                context(config.certificate(), config.privateKey()));
        for (SniCertificate sni : config.sni()) {
            SslContext ctx = context(sni.certificate(), sni.privateKey());
            for (String name : sni.serverNames()) {
                names.add(name, ctx);
            }
        }
        return names.build();
    }

    private SslContext context(String certificate, String privateKey) throws IOException {
        File cert = readable(certificate);
        File key = readable(privateKey);
        try {
            return SslContextBuilder.forServer(cert, key)
                    .sslProvider(provider)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(TlsProvider.alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(certificate + " with " + privateKey + ": " + rootMessage(e), e);
        }
    }

    /** {@code file}, or an exception naming it when it cannot be read (for every TLS file Sluice loads). */
    static File readable(String file) throws IOException {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new IOException(file + " cannot be read");
        }
        return p.toFile();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    /**
     * What identifies each file's version: its path and a checksum of its bytes (the files are a
     * few KiB, read once a second; a checksum also sees a swapped symlink or a same-size rewrite).
     */
    private List<String> stamps() throws IOException {
        List<String> out = new ArrayList<>();
        stamp(config.certificate(), out);
        stamp(config.privateKey(), out);
        for (SniCertificate sni : config.sni()) {
            stamp(sni.certificate(), out);
            stamp(sni.privateKey(), out);
        }
        return out;
    }

    private static void stamp(String file, List<String> out) throws IOException {
        CRC32 crc = new CRC32();
        try {
            crc.update(Files.readAllBytes(Path.of(file)));
        } catch (IOException e) {
            throw new IOException(file + " cannot be read", e);
        }
        out.add(file + ":" + crc.getValue());
    }

    /** The configuration this set was built from. */
    public TlsConfig config() {
        return config;
    }
}
