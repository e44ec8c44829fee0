package io.dnsupdate.webhook.server;

import io.dnsupdate.text.LogSafe;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM serving certificates and keys in the forms cert-manager, kubeadm and OpenSSL write:
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN
 * EC PRIVATE KEY}). Keys become JDK keys (algorithm {@code RSA} or {@code EC}), as JSSE expects.
 */
public final class PemFiles {
  private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS =
      Map.of(
          PKCSObjectIdentifiers.rsaEncryption, "RSA",
          X9ObjectIdentifiers.id_ecPublicKey, "EC",
          EdECObjectIdentifiers.id_Ed25519, "Ed25519");

  private PemFiles() {}

  /**
   * Every certificate in PEM text, in order (leaf first in a serving chain).
   *
   * @throws IllegalArgumentException when there is none or one does not parse
   */
  public static List<X509Certificate> certificates(byte[] pem) {
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no PEM certificate found");
      }
      return List.copyOf(out);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not PEM certificates: " + LogSafe.of(e.getMessage()), e);
    }
  }

  /**
   * The private key in PEM text (other PEM blocks such as {@code EC PARAMETERS} are skipped).
   *
   * @throws IllegalArgumentException when there is no unencrypted key of a known algorithm
   */
  public static PrivateKey privateKey(byte[] pem) {
    try (Reader reader =
            new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return toJdkKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return toJdkKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException(
              "the private key is encrypted; give an unencrypted PEM key (as cert-manager writes)");
        }
      }
      throw new IllegalArgumentException("no PEM private key found");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + LogSafe.of(e.getMessage()), e);
    }
  }

  private static PrivateKey toJdkKey(PrivateKeyInfo info) throws IOException {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm = KEY_ALGORITHMS.get(oid);
    if (algorithm == null) {
      throw new IllegalArgumentException("unsupported private key algorithm " + oid);
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the " + algorithm + " private key cannot be read: " + LogSafe.of(e.getMessage()), e);
    }
  }

  /**
   * Checks that the key belongs to the certificate by signing with one and verifying with the
   * other.
   *
   * @throws IllegalArgumentException when they do not match
   */
  public static void requireMatchingPair(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    String subject = LogSafe.of(certificate.getSubjectX500Principal().getName());
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException(
            "the private key does not belong to the certificate " + subject);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the private key does not belong to the certificate "
              + subject
              + ": "
              + LogSafe.of(e.getMessage()),
          e);
    }
  }
}
