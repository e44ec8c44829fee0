package io.dnsupdate.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.PackagedJar;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged webhook jar ({@code java -jar} with its lib/ folder) in a process of its own,
 * configured by the chart's environment, against fabric8's mock API server holding a key Secret,
 * its TsigKey and a Ready DnsUpdateIssuer for the test named's example.test zone.
 */
final class PackagedWebhook implements AutoCloseable {
  static final String NS = "limits";
  static final String ISSUER = "example-test";
  static final String CERT_MANAGER = "system:serviceaccount:cert-manager:cert-manager";
  static final ObjectMapper JSON = new ObjectMapper();
  static final SecureRandom RANDOM = new SecureRandom();

  final Path work;
  final MockKubernetesApi api;
  final TestPki servingCa;
  final IssuedCertificate frontProxyCert;
  private final Path kubeconfig;
  private Process webhook;
  private Path log;

  PackagedWebhook(Path work, NamedServer named) {
    this.work = work;
    api = MockKubernetesApi.start();
    api.applyCrds(LocalStack.crdsDir());
    TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
    api.installRequestHeaderConfig(frontProxyCa, List.of(LocalStack.FRONT_PROXY_CN));
    api.allowUser(CERT_MANAGER);
    frontProxyCert = frontProxyCa.issueClient(LocalStack.FRONT_PROXY_CN);
    kubeconfig = api.writeKubeconfig(work.resolve("kubeconfig"));
    servingCa = TestPki.newCa("serving-ca");
    IssuedCertificate serving =
        servingCa.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
    serving.writeChainPem(work.resolve("tls.crt"));
    serving.writeKeyPem(work.resolve("tls.key"));
    createKeyAndIssuer(named);
  }

  /** A key Secret, its TsigKey and a Ready DnsUpdateIssuer, as the operator leaves them. */
  private void createKeyAndIssuer(NamedServer named) {
    KeyMaterial material =
        KeyMaterial.of(
            TsigCredentials.fromBase64(
                TestKeys.ACME.name(),
                TsigAlgorithm.parse(TestKeys.ACME.algorithm(), true),
                TestKeys.ACME.secret()));
    api.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("acme" + ApiConstants.KEY_SECRET_SUFFIX)
                .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY)
                .endMetadata()
                .withType("Opaque")
                .withData(KeySecretCodec.toData(material))
                .build())
        .create();
    var ready =
        new ConditionBuilder()
            .withType(ApiConstants.CONDITION_READY)
            .withStatus("True")
            .withReason("Authenticated")
            .withMessage("probe accepted")
            .withLastTransitionTime("2025-01-01T00:00:00Z")
            .build();
    TsigKey key = new TsigKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("acme").build());
    key.setSpec(new TsigKeySpec());
    key.getSpec().setKeyName(material.current().keyName().toString());
    TsigKey storedKey = api.client().resource(key).create();
    TsigKeyStatus ks = new TsigKeyStatus();
    ks.setKeyName(material.current().keyName().toString());
    ks.setAlgorithm(material.current().algorithm().bindName());
    ks.setSecretName("acme" + ApiConstants.KEY_SECRET_SUFFIX);
    ks.setFingerprint(material.current().fingerprint());
    ks.setConditions(List.of(ready));
    storedKey.setStatus(ks);
    api.client().resource(storedKey).updateStatus();

    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of(named.address() + ":" + named.port()));
    spec.setZone(StandardZones.EXAMPLE);
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("acme"));
    spec.setDomains(List.of(StandardZones.EXAMPLE));
    spec.setTimeout("5s");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(false);
    spec.setPropagation(p);
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(ISSUER).build());
    issuer.setSpec(spec);
    DnsUpdateIssuer storedIssuer = api.client().resource(issuer).create();
    DnsUpdateIssuerStatus is = new DnsUpdateIssuerStatus();
    is.setZone(StandardZones.EXAMPLE);
    is.setPrimary(spec.getNameservers().get(0));
    is.setOutsideGrants(OutsideGrants.Refused); // what the operator's probe finds on BIND
    is.setConditions(List.of(ready));
    storedIssuer.setStatus(is);
    api.client().resource(storedIssuer).updateStatus();
  }

  /**
   * The packaged webhook as its image runs it ({@code java @webhook/jvm.options -jar}) with the
   * chart's environment plus {@code extra}.
   */
  URI launch(Map<String, String> extra) throws IOException {
    return launch(extra, PackagedJar.of("webhook").command());
  }

  /** {@link #launch(Map)} with another command line (a benchmark's JVM flags). */
  URI launch(Map<String, String> extra, List<String> command) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    log = work.resolve("webhook-" + port + ".log");
    ProcessBuilder b =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("TLS_CERT_FILE", work.resolve("tls.crt").toString());
    env.put("TLS_KEY_FILE", work.resolve("tls.key").toString());
    env.put("HTTPS_PORT", String.valueOf(port));
    env.put("BIND_ADDRESS", "127.0.0.1");
    env.put("REQUESTHEADER_CONFIGMAP", "kube-system/extension-apiserver-authentication");
    env.put("LOG_LEVEL", "info");
    env.putAll(extra);
    b.environment().putAll(env);
    webhook = b.start();
    URI uri = URI.create("https://127.0.0.1:" + port);
    FrontProxyClient probe = FrontProxyClient.builder(uri, servingCa).build();
    await("the packaged webhook is ready")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              if (!webhook.isAlive()) {
                throw new AssertionError("the webhook exited:\n" + Files.readString(log));
              }
              return probe.get("/readyz").status() == 200;
            });
    return uri;
  }

  FrontProxyClient certManager(URI uri) {
    return certManager(uri, HttpClient.Version.HTTP_1_1);
  }

  /** cert-manager's calls as kube-apiserver forwards them: over h2 its aggregator multiplexes. */
  FrontProxyClient certManager(URI uri, HttpClient.Version version) {
    return FrontProxyClient.builder(uri, servingCa)
        .clientCertificate(frontProxyCert)
        .user(CERT_MANAGER)
        .groups("system:serviceaccounts", "system:authenticated")
        .version(version)
        .build();
  }

  static String token() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String payload(String action, String fqdn, String value) {
    var root = JSON.createObjectNode();
    var r = root.putObject("request");
    r.put("uid", "");
    r.put("action", action);
    r.put("type", "dns-01");
    r.put("dnsName", fqdn.replaceFirst("^_acme-challenge\\.", "").replaceFirst("\\.$", ""));
    r.put("key", value);
    r.put("resourceNamespace", NS);
    r.put("resolvedFQDN", fqdn);
    r.put("resolvedZone", "example.test.");
    r.putObject("config").put("issuer", ISSUER);
    return root.toString();
  }

  static boolean succeeded(FrontProxyClient.Response r) {
    try {
      JsonNode answer = JSON.readTree(r.body());
      return r.status() == 201 && answer.at("/response/success").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  /** The running webhook process. */
  Process process() {
    return webhook;
  }

  /** Its output. */
  Path log() {
    return log;
  }

  /** Stops the webhook process (SIGTERM, then waits for its drain). */
  void stopProcess() throws InterruptedException {
    if (webhook != null && webhook.isAlive()) {
      webhook.destroy();
      if (!webhook.waitFor(90, TimeUnit.SECONDS)) {
        webhook.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    try {
      stopProcess();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    api.close();
  }
}
