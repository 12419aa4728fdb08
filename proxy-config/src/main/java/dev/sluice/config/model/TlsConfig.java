package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

public record TlsConfig(
        @Key(doc = "PEM certificate chain file", required = true) String certificate,
        @Key(doc = "PEM private key file (PKCS#8)", required = true) String privateKey) {

    public TlsConfig {
        requireNonNull(certificate, "certificate");
        requireNonNull(privateKey, "privateKey");
    }
}
