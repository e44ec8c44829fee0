package io.dnsupdate.e2e.acme;

import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The generic RFC 8555 provider, trusting a given TLS context: Pebble's HTTPS certificate is made
 * by the test, and changing the JVM's default trust would hide mistakes elsewhere.
 */
final class TrustingAcmeProvider extends GenericAcmeProvider {
  private final SSLContext sslContext;

  TrustingAcmeProvider(SSLContext sslContext) {
    this.sslContext = sslContext;
  }

  @Override
  protected HttpConnector createHttpConnector(NetworkSettings settings) {
    return new HttpConnector(settings) {
      @Override
      public HttpClient.Builder createClientBuilder() {
        return super.createClientBuilder().sslContext(sslContext);
      }
    };
  }
}
