package io.dnsupdate.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM encoding and decoding of certificates and PKCS#8 keys. */
public final class Pem {

  private Pem() {}

  /** PEM text of the given certificates, in order. */
  public static String certificates(X509Certificate... certificates) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        out.append(block("CERTIFICATE", c.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return out.toString();
  }

  /** PKCS#8 PEM ("BEGIN PRIVATE KEY") text of the key, which BIND, OpenSSL and Go all read. */
  public static String privateKey(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  /** X.509 SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") text, as kube-apiserver reads it. */
  public static String publicKey(java.security.PublicKey key) {
    return block("PUBLIC KEY", key.getEncoded());
  }

  /** Every certificate in the PEM text. */
  public static List<X509Certificate> parseCertificates(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c :
          cf.generateCertificates(
              new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not PEM certificates", e);
    }
  }

  static Path write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String block(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
