package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

  @Test
  void serverCertificateCarriesNamesAndChainsToCa(@TempDir Path tmp) throws Exception {
    TestPki ca = TestPki.newCa("test CA");
    IssuedCertificate server =
        ca.issueServer("svc", List.of("svc.example.test", "localhost"), List.of("127.0.0.1"));
    X509Certificate c = server.certificate();
    c.verify(ca.certificate().getPublicKey());
    c.checkValidity();
    assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(c.getSubjectAlternativeNames())
        .extracting(l -> (Object) l.get(1))
        .containsExactly("svc.example.test", "localhost", "127.0.0.1");
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.certificate().getBasicConstraints()).isZero();

    Path key = server.writeKeyPem(tmp.resolve("k.pem"));
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    Path chain = server.writeChainPem(tmp.resolve("chain.pem"));
    assertThat(Pem.parseCertificates(Files.readString(chain))).containsExactly(c, ca.certificate());
    assertThat(Pem.parseCertificates(Files.readString(ca.writeCertPem(tmp.resolve("ca.pem")))))
        .containsExactly(ca.certificate());
    assertThat(server.toKeyStore("pw".toCharArray()).isKeyEntry(IssuedCertificate.KEY_ALIAS))
        .isTrue();
  }

  @Test
  void mutualTlsAcceptsTheClientCertificateOfTheTrustedCa() throws Exception {
    TestPki serverCa = TestPki.newCa("server CA");
    TestPki clientCa = TestPki.newCa("client CA");
    IssuedCertificate server =
        serverCa.issueServer("s", List.of("localhost"), List.of("127.0.0.1"));
    IssuedCertificate client = clientCa.issueClient("front-proxy-client");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");

    try (SSLServerSocket ss =
        (SSLServerSocket)
            server
                .sslContext(clientCa)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      CompletableFuture<String> peer =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                  s.startHandshake();
                  String cn = s.getSession().getPeerPrincipal().getName();
                  s.getOutputStream().write(1);
                  return cn;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (SSLSocket s =
          (SSLSocket)
              client
                  .sslContext(serverCa)
                  .getSocketFactory()
                  .createSocket("127.0.0.1", ss.getLocalPort())) {
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        out.flush();
        assertThat(in.read()).isEqualTo(1);
      }
      assertThat(peer.get(10, TimeUnit.SECONDS)).isEqualTo("CN=front-proxy-client");
    }

    // A client that trusts another CA refuses the server.
    try (SSLServerSocket ss =
        (SSLServerSocket)
            server
                .sslContext(clientCa)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(
          () -> {
            try (SSLSocket s = (SSLSocket) ss.accept()) {
              s.startHandshake();
            } catch (Exception expected) {
              // the client aborts
            }
          });
      try (SSLSocket s =
          (SSLSocket)
              clientCa
                  .sslContext()
                  .getSocketFactory()
                  .createSocket("127.0.0.1", ss.getLocalPort())) {
        assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
      }
    }
  }
}
