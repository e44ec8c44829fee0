package io.dnsupdate.webhook.runtime;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.cds.HangUpApi;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.logging.LogLevels;
import io.dnsupdate.webhook.challenge.ChallengePayloadCodec;
import io.dnsupdate.webhook.challenge.InvalidPayloadException;
import io.dnsupdate.webhook.server.Discovery;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * A start without an API server, for the class-data-sharing (AppCDS) archive the image ships.
 *
 * <p>Why: JDK 17 maps classes from an archive instead of loading, verifying and linking them from
 * the jars, which cuts the time to {@code /readyz} (StartupBenchmark), but it archives only what a
 * run loaded ({@code -XX:ArchiveClassesAtExit}) and cannot create the archive by itself. The image
 * build has no API server, no serving certificate and no nameserver, so this run brings its own: a
 * self-signed ECDSA certificate (as the chart's serving certificate), a loopback "API server" and
 * "nameserver" that hang up after the first bytes ({@link HangUpApi}). It starts the real {@link
 * Webhook} against them, asks it over HTTPS what kubelet and kube-apiserver ask (probes, discovery,
 * a challenge without credentials), over HTTP/2 and HTTP/1.1, decodes a challenge payload, and
 * signs and sends one UPDATE. Anything it misses is loaded from the jars as before: the archive can
 * make a start slower in no case.
 */
public final class CdsTraining {
  private static final Logger log = LoggerFactory.getLogger(CdsTraining.class);

  private CdsTraining() {}

  /** Runs the dry start and returns; the caller exits, and the JVM writes the archive at exit. */
  public static void run(WebhookConfig config) {
    LogLevels.apply(config.logLevel());
    log.info("dry start for the class-data archive: no API server, errors below are expected");
    try (HangUpApi api = HangUpApi.start()) {
      Path dir = api.dir();
      X509Certificate certificate = selfSigned(dir);
      WebhookConfig dry =
          WebhookConfig.parse(
              new String[] {
                "--kubeconfig=" + api.writeKubeconfig(),
                "--tls-cert-file=" + dir.resolve("tls.crt"),
                "--tls-key-file=" + dir.resolve("tls.key"),
                "--bind-address=127.0.0.1",
                "--https-port=0",
                "--startup-wait=1s",
                "--log-level=" + config.logLevel()
              },
              Map.of());
      try (Webhook webhook = Webhook.start(dry)) {
        ask(webhook.port(), certificate);
      }
      decodeAndSend(api.port());
    }
    log.info("dry start done");
  }

  /** The requests a running webhook gets first, over both protocols it serves. */
  private static void ask(int port, X509Certificate certificate) {
    SSLContext trust = trusting(certificate);
    String payload = payload();
    for (HttpClient.Version version :
        List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpClient client =
          HttpClient.newBuilder()
              .version(version)
              .sslContext(trust)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI base = URI.create("https://127.0.0.1:" + port);
      List<HttpRequest> requests =
          List.of(
              get(base.resolve("/healthz")),
              get(base.resolve("/readyz")),
              get(base.resolve(Discovery.GROUP_VERSION)),
              HttpRequest.newBuilder(
                      base.resolve(Discovery.GROUP_VERSION + "/" + ApiConstants.SOLVER_RESOURCE))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(payload))
                  .build());
      for (HttpRequest request : requests) {
        try {
          HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
          log.debug("{} {}: {}", version, request.uri().getPath(), r.statusCode());
        } catch (IOException e) {
          log.info("{} {} failed: {}", version, request.uri().getPath(), e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
  }

  /** A challenge decoded as the solver decodes it; one UPDATE signed and sent to a hang-up. */
  private static void decodeAndSend(int port) {
    try {
      ChallengePayloadCodec.decode(payload().getBytes(StandardCharsets.UTF_8));
    } catch (InvalidPayloadException e) {
      log.info("the training payload did not decode: {}", e.getMessage());
    }
    TsigCredentials key =
        TsigCredentials.generate("cds-training.", TsigAlgorithm.HMAC_SHA256, new SecureRandom());
    DnsUpdateClient dns = new DnsUpdateClient(ServerEndpoint.tcp("127.0.0.1:" + port), key, null);
    try {
      dns.addTxt(
          Name.fromConstantString("example.test."),
          Name.fromConstantString("_acme-challenge.example.test."),
          "cds-training",
          60);
    } catch (DnsUpdateException expected) {
      log.debug("the training UPDATE failed as expected: {}", expected.reason());
    }
  }

  private static String payload() {
    return "{\"apiVersion\":\""
        + ChallengePayloadCodec.API_VERSION
        + "\",\"kind\":\""
        + ApiConstants.SOLVER_KIND
        + "\",\"request\":{\"uid\":\"00000000-0000-0000-0000-000000000000\",\"action\":\"Present\","
        + "\"type\":\"dns-01\",\"dnsName\":\"example.test\",\"key\":\"cds-training\","
        + "\"resourceNamespace\":\"cds-training\",\"resolvedFQDN\":\"_acme-challenge.example.test.\","
        + "\"resolvedZone\":\"example.test.\",\"allowAmbientCredentials\":false,"
        + "\"config\":{\"issuer\":\"cds-training\"}}}";
  }

  /** A self-signed P-256 certificate for 127.0.0.1 as dir/tls.crt, its key as dir/tls.key. */
  private static X509Certificate selfSigned(Path dir) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=cds-training");
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.ONE,
              Date.from(now.minusSeconds(60)),
              Date.from(now.plus(Duration.ofHours(1))),
              subject,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      // PKCS#8: the JDK encodes an EC key's curve only in the PKCS#8 wrapper, so a SEC1 copy of it
      // would lack the curve (what cert-manager writes has it; PemFilesTest reads both)
      pem(dir.resolve("tls.crt"), certificate);
      pem(dir.resolve("tls.key"), new JcaPKCS8Generator(pair.getPrivate(), null).generate());
      return certificate;
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make the training certificate: " + e, e);
    }
  }

  private static void pem(Path file, Object value) throws IOException {
    try (Writer out = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(value);
    }
  }

  private static SSLContext trusting(X509Certificate certificate) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("training", certificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the training certificate: " + e, e);
    }
  }
}
