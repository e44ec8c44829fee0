package io.dnsupdate.testkit;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away certificate authority issuing EC P-256 server and client certificates. */
public final class TestPki {

  // A day back so that clock skew between the JVM, BIND (OpenSSL) and Pebble (Go) never makes a
  // fresh certificate "not yet valid".
  private static final Duration BACKDATE = Duration.ofDays(1);
  private static final Duration LIFETIME = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X500Name name;
  private final KeyPair keyPair;
  private final X509Certificate certificate;

  private TestPki(X500Name name, KeyPair keyPair, X509Certificate certificate) {
    this.name = name;
    this.keyPair = keyPair;
    this.certificate = certificate;
  }

  /** A new self-signed CA with the given common name. */
  public static TestPki newCa(String cn) {
    KeyPair kp = newKeyPair();
    X500Name subject = cn(cn);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new TestPki(subject, kp, sign(b, kp.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's private key (for tests that sign something unusual themselves). */
  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** PEM of the CA certificate. */
  public String certificatePem() {
    return Pem.certificates(certificate);
  }

  /** Writes the CA certificate as PEM and returns the file. */
  public Path writeCertPem(Path file) {
    return Pem.write(file, certificatePem());
  }

  /** A key store holding only the CA certificate, as a trust anchor. */
  public KeyStore trustStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ca", certificate);
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Trust managers that accept exactly the certificates this CA issued. */
  public TrustManagerFactory trustManagerFactory() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      return tmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client TLS context trusting only this CA (no client certificate). */
  public SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trustManagerFactory().getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A serverAuth certificate whose subject alternative names are the given DNS names and IP
   * addresses (clients check those, never the CN).
   */
  public IssuedCertificate issueServer(String cn, List<String> dnsNames, List<String> ipAddresses) {
    List<GeneralName> sans = new ArrayList<>();
    dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
    return issue(cn, KeyPurposeId.id_kp_serverAuth, sans);
  }

  /** A clientAuth certificate whose CN is the user name (as kube-apiserver front proxies use). */
  public IssuedCertificate issueClient(String cn) {
    return issueClient(cn, List.of());
  }

  /**
   * A clientAuth certificate for kube-apiserver's x509 authenticator: the CN is the user name and
   * each organization (O) a group, e.g. {@code system:masters}.
   */
  public IssuedCertificate issueClient(String cn, List<String> groups) {
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    groups.forEach(g -> subject.addRDN(BCStyle.O, g));
    subject.addRDN(BCStyle.CN, cn);
    return issue(subject.build(), KeyPurposeId.id_kp_clientAuth, List.of());
  }

  private IssuedCertificate issue(String cn, KeyPurposeId purpose, List<GeneralName> sans) {
    return issue(cn(cn), purpose, sans);
  }

  private IssuedCertificate issue(X500Name subject, KeyPurposeId purpose, List<GeneralName> sans) {
    KeyPair kp = newKeyPair();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(name, subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(certificate.getPublicKey()));
      if (!sans.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      return new IssuedCertificate(sign(b, keyPair.getPrivate()), kp.getPrivate(), certificate);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = Instant.now();
    // Positive and 64 bits wide: Go and OpenSSL reject negative or zero serials.
    BigInteger serial = new BigInteger(64, RANDOM).setBit(62);
    return new JcaX509v3CertificateBuilder(
        issuer,
        serial,
        Date.from(now.minus(BACKDATE)),
        Date.from(now.plus(LIFETIME)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X500Name cn(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
