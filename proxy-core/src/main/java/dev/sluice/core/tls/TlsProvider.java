package dev.sluice.core.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Which TLS implementation Sluice uses: BoringSSL through netty-tcnative when its native library
 * loads on this machine (faster handshakes and records, session tickets), otherwise the JDK's.
 * {@code -Dsluice.tls.provider=jdk} forces the JDK's (tests run both). Stateless.
 */
public final class TlsProvider {

    private TlsProvider() {
    }

    /** The provider for every TLS context of this process. */
    public static SslProvider get() {
        String forced = System.getProperty("sluice.tls.provider", "").toLowerCase(Locale.ROOT);
        if (forced.equals("jdk")) {
            return SslProvider.JDK;
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** ALPN offering (or choosing among) {@code protocols} in order; a peer that offers none of them gets no protocol. */
    static ApplicationProtocolConfig alpn(String... protocols) {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
    }

    /** One line for the start-up log: which provider, and why not BoringSSL when it is the JDK's. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            String version = OpenSsl.versionString();
            return version.startsWith("BoringSSL") ? version + " (netty-tcnative)" : "BoringSSL (netty-tcnative, " + version + ")";
        }
        Throwable why = OpenSsl.unavailabilityCause();
        return "JDK " + System.getProperty("java.version")
                + (why == null ? " (forced by -Dsluice.tls.provider=jdk)" : " (BoringSSL did not load: " + why.getMessage() + ")");
    }
}
