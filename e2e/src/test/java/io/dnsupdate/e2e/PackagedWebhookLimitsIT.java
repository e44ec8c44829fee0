package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.HeldConnections;
import io.dnsupdate.testkit.k8s.HeldConnections.Kind;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.TXTRecord;

/**
 * The packaged webhook jar, in a process of its own configured by the chart's environment, under
 * hostile load and SIGTERM: 1,000 held connections delay neither an authorized Present nor {@code
 * /healthz} beyond a second; SIGTERM while 100 Presents are in progress loses none of them.
 */
@ExtendWith(NamedExtension.class)
class PackagedWebhookLimitsIT {
  static final String NS = "limits";
  static final String ISSUER = "example-test";
  static final String CERT_MANAGER = "system:serviceaccount:cert-manager:cert-manager";
  static final ObjectMapper JSON = new ObjectMapper();
  static final SecureRandom RANDOM = new SecureRandom();

  @TempDir static Path work;
  static MockKubernetesApi api;
  static TestPki servingCa;
  static IssuedCertificate frontProxyCert;
  static Path kubeconfig;

  private Process webhook;
  private Path log;
  private final List<HeldConnections> held = new ArrayList<>();

  @BeforeAll
  static void cluster(NamedServer named) throws IOException {
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
  private static void createKeyAndIssuer(NamedServer named) {
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
    is.setConditions(List.of(ready));
    storedIssuer.setStatus(is);
    api.client().resource(storedIssuer).updateStatus();
  }

  @AfterAll
  static void stopCluster() {
    if (api != null) {
      api.close();
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    held.forEach(HeldConnections::close);
    if (webhook != null && webhook.isAlive()) {
      webhook.destroy();
      if (!webhook.waitFor(90, TimeUnit.SECONDS)) {
        webhook.destroyForcibly();
      }
    }
  }

  /** {@code java -jar} on the packaged webhook with the chart's environment plus {@code extra}. */
  private URI launch(Map<String, String> extra) throws IOException {
    Path jar = Path.of("..", "webhook", "target", "dnsupdate-webhook.jar").toAbsolutePath();
    assertThat(jar).exists();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    log = work.resolve("webhook-" + port + ".log");
    ProcessBuilder b =
        new ProcessBuilder(java, "-XX:MaxRAMPercentage=75", "-jar", jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
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
        .pollInterval(Duration.ofMillis(200))
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

  private FrontProxyClient certManager(URI uri) {
    return FrontProxyClient.builder(uri, servingCa)
        .clientCertificate(frontProxyCert)
        .user(CERT_MANAGER)
        .groups("system:serviceaccounts", "system:authenticated")
        .build();
  }

  private static String token() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String payload(String action, String fqdn, String value) {
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

  private static boolean succeeded(FrontProxyClient.Response r) {
    try {
      JsonNode answer = JSON.readTree(r.body());
      return r.status() == 201 && answer.at("/response/success").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aThousandHeldConnectionsDelayNeitherAPresentNorHealth(NamedServer named) throws IOException {
    HeldConnections.requireFileDescriptors(1000 + 200);
    URI uri =
        launch(Map.of("HANDSHAKE_TIMEOUT", "5m", "HEADER_TIMEOUT", "5m", "BODY_TIMEOUT", "5m"));
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", uri.getPort());
    String fqdn = "_acme-challenge.example.test.";
    // a running webhook is warm (classes loaded, API client connected, key and zone cached):
    // what is measured below is the effect of the held connections, not the first call's
    String warm = token();
    FrontProxyClient warmUp = certManager(uri);
    assertThat(succeeded(warmUp.postChallenge(payload("Present", fqdn, warm)))).isTrue();
    assertThat(succeeded(warmUp.postChallenge(payload("CleanUp", fqdn, warm)))).isTrue();
    long b0 = System.nanoTime();
    assertThat(succeeded(certManager(uri).postChallenge(payload("CleanUp", fqdn, warm)))).isTrue();
    long baselineMillis = (System.nanoTime() - b0) / 1_000_000;
    String stalled =
        "POST "
            + FrontProxyClient.CHALLENGE_PATH
            + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Remote-User: "
            + CERT_MANAGER;
    held.add(HeldConnections.open(address, Kind.SILENT, 250, null, null));
    held.add(HeldConnections.open(address, Kind.PARTIAL_HANDSHAKE, 250, null, null));
    held.add(
        HeldConnections.open(address, Kind.PARTIAL_HEADERS, 250, servingCa.sslContext(), null));
    held.add(
        HeldConnections.open(
            address, Kind.STALLED_BODY, 250, frontProxyCert.sslContext(servingCa), stalled));

    String value = token();
    FrontProxyClient certManager = certManager(uri); // a new connection: handshake included
    long t0 = System.nanoTime();
    FrontProxyClient.Response present = certManager.postChallenge(payload("Present", fqdn, value));
    Duration presentTook = Duration.ofNanos(System.nanoTime() - t0);
    long t1 = System.nanoTime();
    FrontProxyClient.Response health =
        FrontProxyClient.builder(uri, servingCa).build().get("/healthz");
    Duration healthTook = Duration.ofNanos(System.nanoTime() - t1);

    System.out.printf(
        "[held] new connection + CleanUp, nothing held: %d ms; with 1,000 connections held:"
            + " Present %d ms, /healthz %d ms%n",
        baselineMillis, presentTook.toMillis(), healthTook.toMillis());
    assertThat(succeeded(present)).as(present.body()).isTrue();
    assertThat(health.status()).isEqualTo(200);
    assertThat(presentTook).isLessThan(Duration.ofSeconds(1));
    assertThat(healthTook).isLessThan(Duration.ofSeconds(1));
    assertThat(held.stream().mapToInt(HeldConnections::stillOpen).sum()).isEqualTo(1000);
    assertThat(named.txt(fqdn)).contains(value);
    assertThat(succeeded(certManager.postChallenge(payload("CleanUp", fqdn, value)))).isTrue();
  }

  @Test
  void sigtermDuringAHundredPresentsLosesNone(NamedServer named) throws Exception {
    int n = 100;
    // each change waits a second for its UPDATE message: all 100 are in progress together
    URI uri = launch(Map.of("BATCH_WINDOW", "1s", "MAX_CHALLENGES", "200"));
    FrontProxyClient certManager = certManager(uri);
    FrontProxyClient probe = FrontProxyClient.builder(uri, servingCa).build();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<CompletableFuture<Integer>> warm = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        warm.add(CompletableFuture.supplyAsync(() -> certManager.get("/apis").status(), pool));
      }
      warm.forEach(CompletableFuture::join);
      Map<String, String> names = new LinkedHashMap<>();
      Map<String, CompletableFuture<FrontProxyClient.Response>> presents = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String value = token();
        String fqdn = StandardZones.CHALLENGE_NAMES.get(i % StandardZones.CHALLENGE_NAMES.size());
        names.put(value, fqdn);
        presents.put(
            value,
            CompletableFuture.supplyAsync(
                () -> certManager.postChallenge(payload("Present", fqdn, value)), pool));
      }
      await("100 Presents in progress")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> inProgress(probe) == n);

      webhook.destroy(); // SIGTERM

      for (var e : presents.entrySet()) {
        FrontProxyClient.Response r = e.getValue().get(60, TimeUnit.SECONDS);
        assertThat(succeeded(r)).as(e.getKey() + ": " + r.body()).isTrue();
      }
      assertThat(webhook.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(log)).contains("shutting down");
      Map<String, List<String>> zone =
          named.records(StandardZones.EXAMPLE).stream()
              .filter(r -> r instanceof TXTRecord)
              .collect(
                  Collectors.groupingBy(
                      r -> r.getName().toString(),
                      Collectors.mapping(
                          r -> String.join("", ((TXTRecord) r).getStrings()),
                          Collectors.toList())));
      names.forEach(
          (value, fqdn) -> assertThat(zone.getOrDefault(fqdn, List.of())).contains(value));
      named.nsupdate(
          TestKeys.ACME,
          names.entrySet().stream()
              .map(e -> "update delete " + e.getValue() + " TXT \"" + e.getKey() + "\"")
              .toArray(String[]::new));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The webhook's own gauge of challenges in progress, from /metrics. */
  private static int inProgress(FrontProxyClient probe) {
    for (String line : probe.get("/metrics", null).body().split("\n")) {
      if (line.startsWith("dnsupdate_webhook_challenges_in_progress ")) {
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
      }
    }
    return -1;
  }
}
