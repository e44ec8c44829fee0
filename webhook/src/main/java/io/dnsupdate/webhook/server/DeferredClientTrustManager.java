package io.dnsupdate.webhook.server;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts any client certificate during the TLS handshake (JSSE still checks that the client holds
 * its key). Whether the certificate is trusted is decided per request by the request-header
 * authenticator against the current CA from kube-apiserver's ConfigMap, which can change at any
 * time: a bad certificate then gets an HTTP 401 with a reason instead of a handshake failure, and
 * health probes without a certificate still connect.
 */
final class DeferredClientTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NONE = new X509Certificate[0];

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("this trust manager only serves");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("this trust manager only serves");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("this trust manager only serves");
  }

  /** No CA names in the CertificateRequest: clients send their certificate whoever issued it. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NONE;
  }
}
