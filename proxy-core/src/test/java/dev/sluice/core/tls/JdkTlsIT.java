package dev.sluice.core.tls;

/** {@link TlsIT} again with the JDK's TLS provider, the fallback when BoringSSL does not load. */
class JdkTlsIT extends TlsIT {

    @Override
    boolean jdkProvider() {
        return true;
    }
}
