package io.dnsupdate.webhook;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.TestTsigKey;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.webhook.runtime.Webhook;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * One webhook started in-process the way the image runs it, against fabric8's mock API server (CRDs
 * applied, kube-apiserver's request-header ConfigMap installed), with certificates made for the
 * test: a serving CA and certificate, a front-proxy CA and client certificate. Builds the objects a
 * test needs: key Secrets, TsigKeys, DnsUpdateIssuers with a Ready status (the operator does not
 * run here) and ChallengePayloads.
 */
public final class WebhookFixture implements AutoCloseable {
  /** The CN kube-apiserver's front-proxy certificate has in kubeadm clusters. */
  public static final String FRONT_PROXY_CN = "front-proxy-client";

  /** cert-manager's service account as kube-apiserver names it. */
  public static final String CERT_MANAGER = "system:serviceaccount:cert-manager:cert-manager";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  public final Path dir;
  public final TestPki servingCa;
  public final TestPki frontProxyCa;
  public final IssuedCertificate frontProxyCert;
  public final MockKubernetesApi api;
  public final Webhook webhook;

  private WebhookFixture(
      Path dir,
      TestPki servingCa,
      TestPki frontProxyCa,
      IssuedCertificate frontProxyCert,
      MockKubernetesApi api,
      Webhook webhook) {
    this.dir = dir;
    this.servingCa = servingCa;
    this.frontProxyCa = frontProxyCa;
    this.frontProxyCert = frontProxyCert;
    this.api = api;
    this.webhook = webhook;
  }

  /** Starts with the default flags. */
  public static WebhookFixture start() {
    return start(List.of());
  }

  /** Starts with extra {@code --flag=value} arguments (e.g. a batch window). */
  public static WebhookFixture start(List<String> extraArgs) {
    Path dir;
    try {
      dir = Files.createTempDirectory("webhook-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestPki servingCa = TestPki.newCa("webhook serving CA");
    IssuedCertificate serving =
        servingCa.issueServer(
            "dnsupdate-webhook", List.of("localhost", "dnsupdate-webhook"), List.of("127.0.0.1"));
    serving.writeChainPem(dir.resolve("tls.crt"));
    serving.writeKeyPem(dir.resolve("tls.key"));
    TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
    IssuedCertificate frontProxyCert = frontProxyCa.issueClient(FRONT_PROXY_CN);

    MockKubernetesApi api = MockKubernetesApi.start();
    try {
      api.applyCrds(Path.of(System.getProperty("dnsupdate.crdDir", "../crds")));
      api.installRequestHeaderConfig(frontProxyCa, List.of(FRONT_PROXY_CN));
      api.allowUser(CERT_MANAGER);
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      List<String> args = new ArrayList<>();
      args.add("--kubeconfig=" + kubeconfig);
      args.add("--tls-cert-file=" + dir.resolve("tls.crt"));
      args.add("--tls-key-file=" + dir.resolve("tls.key"));
      args.add("--bind-address=127.0.0.1");
      args.add("--https-port=0");
      args.add("--startup-wait=20s");
      args.addAll(extraArgs);
      Webhook webhook = WebhookMain.start(args.toArray(String[]::new));
      if (!webhook.isReady()) {
        webhook.close();
        throw new IllegalStateException("webhook not ready: " + webhook.notReadyReason());
      }
      return new WebhookFixture(dir, servingCa, frontProxyCa, frontProxyCert, api, webhook);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- callers

  /** kube-apiserver forwarding a request of cert-manager's service account. */
  public FrontProxyClient certManager() {
    return caller()
        .user(CERT_MANAGER)
        .groups("system:serviceaccounts", "system:authenticated")
        .build();
  }

  /** A caller with the front-proxy certificate and no identity yet. */
  public FrontProxyClient.Builder caller() {
    return FrontProxyClient.builder(webhook.uri(), servingCa).clientCertificate(frontProxyCert);
  }

  /** A caller without any client certificate. */
  public FrontProxyClient.Builder anonymous() {
    return FrontProxyClient.builder(webhook.uri(), servingCa);
  }

  // ---------------------------------------------------------------- objects

  /**
   * A key Secret as the operator writes it, the TsigKey owning it (status with fingerprint) and
   * returns the TsigKey.
   */
  public TsigKey createKey(String namespace, String name, TestTsigKey key) {
    return createKey(namespace, name, KeyMaterial.of(credentials(key)));
  }

  /** {@link #createKey(String, String, TestTsigKey)} with any key material. */
  public TsigKey createKey(String namespace, String name, KeyMaterial material) {
    String secretName = name + ApiConstants.KEY_SECRET_SUFFIX;
    writeKeySecret(namespace, secretName, material);
    TsigKey tk = new TsigKey();
    tk.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    TsigKeySpec spec = new TsigKeySpec();
    spec.setKeyName(material.current().keyName().toString());
    tk.setSpec(spec);
    TsigKeyStatus status = new TsigKeyStatus();
    status.setKeyName(material.current().keyName().toString());
    status.setAlgorithm(material.current().algorithm().bindName());
    status.setSecretName(secretName);
    status.setFingerprint(material.current().fingerprint());
    status.setConditions(List.of(ready("True", "SecretReady", "key Secret is up to date")));
    tk.setStatus(status);
    return upsertWithStatus(tk);
  }

  /** Creates or replaces the key Secret only. */
  public Secret writeKeySecret(String namespace, String secretName, KeyMaterial material) {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(secretName)
            .addToLabels(ApiConstants.LABEL_MANAGED_BY, ApiConstants.MANAGED_BY)
            .endMetadata()
            .withType("Opaque")
            .withData(KeySecretCodec.toData(material))
            .build();
    return api.client().resource(secret).createOr(NonDeletingOperation::update);
  }

  /** An issuer spec for the named server's example.test zone, propagation not verified. */
  public static DnsUpdateIssuerSpec spec(NamedServer named, String keyName, String... domains) {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of(named.address() + ":" + named.port()));
    spec.setZone("example.test");
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef(keyName));
    spec.setDomains(List.of(domains.length == 0 ? new String[] {"example.test"} : domains));
    spec.setTimeout("5s");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(false);
    spec.setPropagation(p);
    return spec;
  }

  /** A Ready DnsUpdateIssuer (status as the operator's probe would leave it). */
  public DnsUpdateIssuer createIssuer(String namespace, String name, DnsUpdateIssuerSpec spec) {
    return createIssuer(namespace, name, spec, ready("True", "Authenticated", "probe accepted"));
  }

  /**
   * A Ready DnsUpdateIssuer whose probe saw its primary do {@code outside} with a change outside
   * the grants (BIND and Knot: {@link OutsideGrants#Refused}).
   */
  public DnsUpdateIssuer createIssuer(
      String namespace, String name, DnsUpdateIssuerSpec spec, OutsideGrants outside) {
    return createIssuer(
        namespace, name, spec, ready("True", "Authenticated", "probe accepted"), outside);
  }

  /** A DnsUpdateIssuer with the given Ready condition. */
  public DnsUpdateIssuer createIssuer(
      String namespace, String name, DnsUpdateIssuerSpec spec, Condition readyCondition) {
    return createIssuer(namespace, name, spec, readyCondition, null);
  }

  private DnsUpdateIssuer createIssuer(
      String namespace,
      String name,
      DnsUpdateIssuerSpec spec,
      Condition readyCondition,
      OutsideGrants outside) {
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    issuer.setSpec(spec);
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setZone(spec.getZone());
    status.setPrimary(spec.getNameservers().get(0));
    status.setConditions(List.of(readyCondition));
    status.setOutsideGrants(outside);
    issuer.setStatus(status);
    return upsertWithStatus(issuer);
  }

  /** Creates or updates an object, then its status, and waits until the webhook has it. */
  private <T extends HasMetadata> T upsertWithStatus(T object) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) object.getClass();
    Object status = statusOf(object);
    T stored = api.client().resource(object).createOr(NonDeletingOperation::update);
    setStatus(stored, status);
    T withStatus = api.client().resource(stored).updateStatus();
    String ns = withStatus.getMetadata().getNamespace();
    String name = withStatus.getMetadata().getName();
    String version = withStatus.getMetadata().getResourceVersion();
    await("the webhook sees " + type.getSimpleName() + " " + ns + "/" + name)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                (object instanceof DnsUpdateIssuer
                        ? webhook.directory().issuer(ns, name).map(HasMetadata.class::cast)
                        : webhook.directory().tsigKey(ns, name).map(HasMetadata.class::cast))
                    .map(o -> version.equals(o.getMetadata().getResourceVersion()))
                    .orElse(false));
    return withStatus;
  }

  private static Object statusOf(HasMetadata o) {
    return o instanceof DnsUpdateIssuer i ? i.getStatus() : ((TsigKey) o).getStatus();
  }

  private static void setStatus(HasMetadata o, Object status) {
    if (o instanceof DnsUpdateIssuer i) {
      i.setStatus((DnsUpdateIssuerStatus) status);
    } else {
      ((TsigKey) o).setStatus((TsigKeyStatus) status);
    }
  }

  /** Deletes an object and waits until the webhook no longer has it. */
  public void delete(HasMetadata object) {
    api.client().resource(object).delete();
    String ns = object.getMetadata().getNamespace();
    String name = object.getMetadata().getName();
    await("the webhook forgets " + ns + "/" + name)
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                object instanceof DnsUpdateIssuer
                    ? webhook.directory().issuer(ns, name).isEmpty()
                    : webhook.directory().tsigKey(ns, name).isEmpty());
  }

  /** A Ready condition. */
  public static Condition ready(String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(ApiConstants.CONDITION_READY)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2025-01-01T00:00:00Z")
        .build();
  }

  /** The engine's view of a test key. */
  public static TsigCredentials credentials(TestTsigKey key) {
    return TsigCredentials.fromBase64(
        key.name(), TsigAlgorithm.parse(key.algorithm(), true), key.secret());
  }

  // ---------------------------------------------------------------- payloads

  /** A fresh dns-01 TXT value: 43 base64url characters, like SHA-256 of a key authorization. */
  public static String token() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A ChallengePayload as cert-manager sends it (no apiVersion/kind, uid ""). */
  public static String payload(
      String action, String namespace, String issuer, String fqdn, String key) {
    return payload(
        p -> {
          ObjectNode r = (ObjectNode) p.get("request");
          r.put("action", action);
          r.put("resourceNamespace", namespace);
          r.put("resolvedFQDN", fqdn);
          r.put("key", key);
          r.put("dnsName", fqdn.replaceFirst("^_acme-challenge\\.", "").replaceFirst("\\.$", ""));
          r.putObject("config").put("issuer", issuer);
        });
  }

  /** A ChallengePayload skeleton edited by the consumer. */
  public static String payload(Consumer<ObjectNode> edit) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode r = root.putObject("request");
    r.put("uid", "");
    r.put("action", "Present");
    r.put("type", "dns-01");
    r.put("dnsName", "example.test");
    r.put("key", token());
    r.put("resourceNamespace", "default");
    r.put("resolvedFQDN", "_acme-challenge.example.test.");
    r.put("resolvedZone", "example.test.");
    r.put("allowAmbientCredentials", false);
    edit.accept(root);
    return root.toString();
  }

  /** Parses a JSON answer. */
  public static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      webhook.close();
    } finally {
      api.close();
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
