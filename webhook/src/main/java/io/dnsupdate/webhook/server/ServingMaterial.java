package io.dnsupdate.webhook.server;

import io.dnsupdate.text.LogSafe;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A serving certificate chain (leaf first) with its private key. {@link #toString()} names the
 * certificate, never the key.
 */
public record ServingMaterial(List<X509Certificate> chain, PrivateKey key) {
  public ServingMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a serving chain needs at least the leaf certificate");
    }
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** Reads and checks a PEM chain and key. */
  public static ServingMaterial fromPem(byte[] certPem, byte[] keyPem) {
    List<X509Certificate> chain = PemFiles.certificates(certPem);
    PrivateKey key = PemFiles.privateKey(keyPem);
    PemFiles.requireMatchingPair(key, chain.get(0));
    return new ServingMaterial(chain, key);
  }

  @Override
  public String toString() {
    X509Certificate leaf = leaf();
    return "ServingMaterial[subject="
        + LogSafe.of(leaf.getSubjectX500Principal().getName())
        + ", serial="
        + leaf.getSerialNumber().toString(16)
        + ", notAfter="
        + leaf.getNotAfter().toInstant()
        + ", key="
        + key.getAlgorithm()
        + "]";
  }
}
