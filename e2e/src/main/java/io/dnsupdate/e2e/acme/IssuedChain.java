package io.dnsupdate.e2e.acme;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

/** A certificate chain from the ACME server and the key pair it certifies. */
public record IssuedChain(List<X509Certificate> chain, KeyPair keyPair) {
  public X509Certificate leaf() {
    return chain.get(0);
  }
}
