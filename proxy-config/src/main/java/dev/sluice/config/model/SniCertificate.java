package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

public record SniCertificate(
        @Key(doc = "server names this pair serves: exact (a.example) or one leading wildcard label (*.b.example)", required = true)
        List<String> serverNames,
        @Key(doc = "PEM certificate chain file for these names", required = true) String certificate,
        @Key(doc = "PEM private key file for these names", required = true) String privateKey) {

    public SniCertificate {
        serverNames = List.copyOf(serverNames);
        requireNonNull(certificate, "certificate");
        requireNonNull(privateKey, "privateKey");
    }
}
