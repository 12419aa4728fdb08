package dev.sluice.config.model;

public record UpstreamTlsConfig(
        @Key(doc = "PEM file of the authorities a backend's certificate must chain to", absent = "the JDK's trusted authorities")
        String trustedCertificates,
        @Key(doc = "PEM client certificate chain presented to backends that ask (mTLS); with privateKey", absent = "none")
        String certificate,
        @Key(doc = "PEM private key of that certificate: PKCS#8, PKCS#1 RSA or EC", absent = "none") String privateKey,
        @Key(doc = "name sent as SNI and checked against the backend's certificate", absent = "each backend's host")
        String serverName,
        @Key(doc = "check the backend's certificate chain and name; false only for tests", value = "true") boolean verify) {
}
