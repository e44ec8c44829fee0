package io.dnsupdate.cluster;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.Pem;
import java.net.Socket;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTPS client that calls a webhook process directly, as kube-apiserver's aggregator does: with
 * a client certificate of the front-proxy CA, trusting the webhook's CA and the Service name the
 * aggregator checks.
 */
final class FrontProxyClient {
  private FrontProxyClient() {}

  static HttpClient http(RealCluster cluster, IssuedCertificate client) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : Pem.parseCertificates(cluster.webhookCaPem())) {
      trust.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    X509TrustManager chain = (X509TrustManager) tmf.getTrustManagers()[0];
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(
        client.keyManagerFactory().getKeyManagers(),
        new TrustManager[] {new ChainOnly(chain, cluster.webhookServiceDnsName())},
        null);
    return HttpClient.newBuilder().sslContext(ssl).build();
  }

  /**
   * Checks the chain against the webhook's CA and the name the aggregator checks (the Service's DNS
   * name), while this test dials 127.0.0.1, which the certificate rightly does not name. An
   * X509ExtendedTrustManager, so that the JDK does not add its own host name check.
   */
  private static final class ChainOnly extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final String serviceName;

    ChainOnly(X509TrustManager delegate, String serviceName) {
      this.delegate = delegate;
      this.serviceName = serviceName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      boolean named =
          chain[0].getSubjectAlternativeNames().stream()
              .anyMatch(n -> serviceName.equals(n.get(1)));
      if (!named) {
        throw new CertificateException("the serving certificate does not name " + serviceName);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
