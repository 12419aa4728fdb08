package dev.sluice.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time with BouncyCastle: a root authority, intermediates, and leaf
 * certificates for DNS names, written as PEM in every key format Sluice reads (PKCS#8, PKCS#1
 * RSA, SEC1 EC), and JDK {@link SSLContext}s that trust a root or present a client certificate.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private TestCertificates() {
    }

    /** How a private key is written. */
    public enum KeyFormat { PKCS8, PKCS1_RSA, SEC1_EC }

    /** A certificate, its key, and the certificates above it up to (not including) the root. */
    public record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {

        /** Writes the certificate and its chain (leaf first) to {@code file}. */
        public Path writeChain(Path file) throws IOException {
            List<Object> all = new ArrayList<>();
            all.add(certificate);
            all.addAll(chain);
            Files.writeString(file, pem(all.toArray()), StandardCharsets.US_ASCII);
            return file;
        }

        /** Writes the key to {@code file} in {@code format} ({@code PKCS1_RSA} for RSA keys, {@code SEC1_EC} for EC keys). */
        public Path writeKey(Path file, KeyFormat format) throws IOException {
            Object pem = switch (format) {
                case PKCS8 -> pkcs8(key);
                case PKCS1_RSA -> key; // the PEM writer writes a bare RSA key in its traditional form
                case SEC1_EC -> sec1(key, certificate.getPublicKey());
            };
            Files.writeString(file, pem(pem), StandardCharsets.US_ASCII);
            return file;
        }

        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    /** A certificate authority that issues intermediates and leaves. */
    public static final class Authority {
        private final Issued self;

        private Authority(Issued self) {
            this.self = self;
        }

        /** A new self-signed root. */
        public static Authority root(String name) throws Exception {
            KeyPair kp = ec();
            X509Certificate cert = sign(new X500Name("CN=" + name), kp, new X500Name("CN=" + name), kp.getPrivate(), true, List.of());
            return new Authority(new Issued(cert, kp.getPrivate(), List.of()));
        }

        /** An intermediate authority below this one. */
        public Authority intermediate(String name) throws Exception {
            KeyPair kp = ec();
            X509Certificate cert = sign(new X500Name("CN=" + name), kp, subject(), self.key(), true, List.of());
            return new Authority(new Issued(cert, kp.getPrivate(), chainBelow()));
        }

        /** A server (and client) certificate for {@code dnsNames}, with an EC key. */
        public Issued issue(String... dnsNames) throws Exception {
            return issue(ec(), dnsNames);
        }

        /** As {@link #issue(String...)} with an RSA key (for PKCS#1). */
        public Issued issueRsa(String... dnsNames) throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return issue(g.generateKeyPair(), dnsNames);
        }

        private Issued issue(KeyPair kp, String... dnsNames) throws Exception {
            X509Certificate cert = sign(new X500Name("CN=" + dnsNames[0]), kp, subject(), self.key(), false, List.of(dnsNames));
            return new Issued(cert, kp.getPrivate(), chainBelow());
        }

        private X500Name subject() {
            return X500Name.getInstance(self.certificate().getSubjectX500Principal().getEncoded());
        }

        /** This authority and the intermediates above it: what a leaf it issues sends with itself. */
        private List<X509Certificate> chainBelow() {
            if (self.chain().isEmpty() && self.certificate().getSubjectX500Principal().equals(self.certificate().getIssuerX500Principal())) {
                return List.of(); // a root is not sent
            }
            List<X509Certificate> out = new ArrayList<>();
            out.add(self.certificate());
            out.addAll(self.chain());
            return out;
        }

        public X509Certificate certificate() {
            return self.certificate();
        }

        /** Writes this authority's certificate (to be trusted) to {@code file}. */
        public Path writeCertificate(Path file) throws IOException {
            Files.writeString(file, pem(self.certificate()), StandardCharsets.US_ASCII);
            return file;
        }

        /** A client context that trusts this authority only. */
        public SSLContext trustingClient() throws Exception {
            return client(null);
        }

        /** A client context that trusts this authority and presents {@code identity}. */
        public SSLContext client(Issued identity) throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", self.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (identity != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                List<X509Certificate> chain = new ArrayList<>();
                chain.add(identity.certificate());
                chain.addAll(identity.chain());
                keys.setKeyEntry("me", identity.key(), new char[0], chain.toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        }
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey, boolean ca,
            List<String> dnsNames) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!dnsNames.isEmpty()) {
            GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    /** An EC key as OpenSSL writes it ({@code EC PRIVATE KEY}, with the curve and the public key inside). */
    private static PemObject sec1(PrivateKey key, PublicKey publicKey) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey ec = (ECPrivateKey) key;
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(),
                ec.getS(), SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
    }

    private static Object pkcs8(PrivateKey key) {
        try {
            return new JcaPKCS8Generator(key, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        return out.toString();
    }
}
