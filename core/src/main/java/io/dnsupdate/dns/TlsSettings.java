package io.dnsupdate.dns;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * DNS over TLS settings: whom to trust and which name the server's certificate must carry.
 *
 * @param caBundlePem PEM certificates to trust instead of the system trust store; null for the
 *     system trust store
 * @param serverName the name to verify in the server's certificate and to send as SNI; null to use
 *     the nameserver host
 */
public record TlsSettings(String caBundlePem, String serverName) {
  public static final TlsSettings SYSTEM_TRUST = new TlsSettings(null, null);

  /** Builds the SSL context once; an unreadable bundle is reported at configuration time. */
  SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (caBundlePem == null || caBundlePem.isBlank()) {
        context.init(null, null, null);
        return context;
      }
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caBundlePem.getBytes(StandardCharsets.US_ASCII)));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("the TLS CA bundle holds no PEM certificate");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("the TLS CA bundle cannot be used: " + e.getMessage(), e);
    }
  }
}
