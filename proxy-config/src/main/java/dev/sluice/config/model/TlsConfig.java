package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

public record TlsConfig(
        @Key(doc = "PEM certificate chain file (leaf first); re-read when it changes", required = true) String certificate,
        @Key(doc = "PEM private key file: PKCS#8, PKCS#1 RSA or EC; re-read when it changes", required = true) String privateKey,
        @Key(doc = "certificates chosen by the client's server name (SNI); the pair above serves every other name")
        List<SniCertificate> sni) {

    public TlsConfig {
        requireNonNull(certificate, "certificate");
        requireNonNull(privateKey, "privateKey");
        sni = List.copyOf(sni);
    }
}
