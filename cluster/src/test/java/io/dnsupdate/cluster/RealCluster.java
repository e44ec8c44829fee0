package io.dnsupdate.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.e2e.ExampleResources;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.ClusterBinaries;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.Commands;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.KubeControlPlane;
import io.dnsupdate.testkit.PortReservation;
import io.dnsupdate.testkit.RepositoryFiles;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real cluster for every test of this module, as a user would have it: a control plane built
 * from Kubernetes' Go modules, cert-manager's CRDs and its controller's RBAC from its own chart,
 * our chart applied as rendered, the real cert-manager controller, and our packaged operator and
 * webhook as processes with their ServiceAccounts' tokens. The webhook's serving certificate is
 * issued by cert-manager from the chart's own Issuers. Tests share it and keep apart by namespace.
 *
 * <p>Two things stand in for what a node would do: the webhook Service is an ExternalName of {@code
 * localhost} (no kube-proxy routes a ClusterIP here), and the test copies the CA into the
 * APIService as cert-manager's cainjector would.
 */
final class RealCluster implements AutoCloseable {
  static final String KUBE_VERSION = "1.34.4";
  static final String RELEASE = "dnsupdate";
  static final String NAMESPACE = "dnsupdate-system";
  static final String CERT_MANAGER_NAMESPACE = "cert-manager";
  static final String APISERVICE = "v1alpha1.acme.dnsupdate.io";

  private static final Duration READY = Duration.ofMinutes(2);

  private final Path work;
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private final List<ComponentProcess> processes = new ArrayList<>();
  private final KubeControlPlane plane;
  private final LocalNameserver dns;
  private final KerberosKdc kdc;
  private final Manifests chart;
  private final int webhookPort;
  private final CertManager certManager;
  private String webhookCaPem;

  private RealCluster() throws IOException {
    work = Files.createTempDirectory("real-cluster-");
    PortReservation webhook = PortReservation.reserve("127.0.0.1");
    closeLast.add(webhook);
    webhookPort = webhook.port();
    ClusterBinaries bins = ClusterBinaries.get();
    certManager = CertManager.fromModule();
    plane = KubeControlPlane.builder().binaries(bins).start();
    closeLast.add(0, plane);
    // a realm of its own, so Kerberos issuers (GSS-TSIG) can be tested beside TSIG keys
    kdc = KerberosKdc.startStandard();
    closeLast.add(0, kdc);
    dns = LocalNameserver.start(kdc);
    closeLast.add(0, dns);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("webhook", Map.of("httpsPort", webhookPort, "service", Map.of("port", webhookPort)));
    // an hour: what the operator notices of a Secret it imports within a test, it saw by its watch
    values.put("operator", Map.of("recheckInterval", "1h"));
    chart =
        Manifests.render(
            RepositoryFiles.find("charts/dnsupdate-operator"), RELEASE, NAMESPACE, values, work);
  }

  /** Starts everything; called once per JVM. */
  private void install() throws IOException {
    kubectlOk("apply", "--server-side", "-f", RepositoryFiles.find("crds").toString());
    kubectlOk("apply", "--server-side", "-f", certManager.crds().toString());
    kubectlOk("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
    kubectlOk("create", "namespace", NAMESPACE);
    kubectlOk("create", "namespace", CERT_MANAGER_NAMESPACE);
    kubectlOk(
        "apply",
        "-f",
        certManager
            .controllerRbac(CERT_MANAGER_NAMESPACE, work)
            .write(work.resolve("cert-manager-rbac.yaml"))
            .toString());
    kubectlOk("apply", "--server-side", "-f", chart.write(work.resolve("chart.yaml")).toString());
    routeWebhookServiceToLoopback();
    Path kubeconfig =
        plane.serviceAccountKubeconfig(
            CERT_MANAGER_NAMESPACE, "cert-manager", work.resolve("cert-manager.kubeconfig"));
    processes.add(
        certManager.startController(kubeconfig, CERT_MANAGER_NAMESPACE, dns.hostPort(), work));
    Path tls = waitForServingCertificate();
    startWebhook(tls);
    startOperators(1);
    awaitApiServiceAvailable();
  }

  static RealCluster shared(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(
            RealCluster.class,
            k -> {
              RealCluster c;
              try {
                c = new RealCluster();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              try {
                c.install();
              } catch (IOException | RuntimeException e) {
                String logs = c.logTails();
                c.close();
                throw new IllegalStateException("the real cluster did not come up:\n" + logs, e);
              }
              return c;
            },
            RealCluster.class);
  }

  KubeControlPlane plane() {
    return plane;
  }

  KubernetesClient admin() {
    return plane.admin();
  }

  LocalNameserver dns() {
    return dns;
  }

  /** The KDC of realm EXAMPLE.TEST; named holds the keytab of DNS/ns1.example.test. */
  KerberosKdc kdc() {
    return kdc;
  }

  Path work() {
    return work;
  }

  int webhookPort() {
    return webhookPort;
  }

  /**
   * {@code <service>.<namespace>.svc}: the name the aggregator checks the serving certificate for.
   */
  String webhookServiceDnsName() {
    return chart.one("Service", "webhook").path("metadata").path("name").asText()
        + "."
        + NAMESPACE
        + ".svc";
  }

  /** The folder holding the webhook's serving certificate and key (tls.crt, tls.key). */
  Path webhookTls() {
    return work.resolve("webhook-tls");
  }

  /** The CA of the webhook's serving certificate, as cert-manager issued it. */
  String webhookCaPem() {
    return webhookCaPem;
  }

  /**
   * The examples' TsigKey and DnsUpdateIssuer in a namespace (made if missing) for the zone {@code
   * example.test} and exactly the given domains, with the rendered key and grants loaded into
   * named, once the issuer is Ready.
   */
  DnsUpdateIssuer readyIssuer(String namespace, String... domains) throws IOException {
    KubernetesClient k8s = admin();
    if (k8s.namespaces().withName(namespace).get() == null) {
      kubectlOk("create", "namespace", namespace);
    }
    TsigKey key = ExampleResources.tsigKey(namespace, null, null);
    key.getSpec().setRotation(null);
    k8s.resource(key).create();
    DnsUpdateIssuer issuer =
        ExampleResources.issuer(namespace, dns.hostPort(), LocalNameserver.ZONE, List.of());
    issuer.getSpec().setDomains(List.of(domains));
    k8s.resource(issuer).create();
    String configSecret =
        key.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;
    String lastGrant = "_acme-challenge." + domains[domains.length - 1];
    Secret config =
        await("the nameserver config of " + namespace + " grants " + lastGrant)
            .until(
                () -> k8s.secrets().inNamespace(namespace).withName(configSecret).get(),
                c ->
                    c != null
                        && decoded(c)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains(lastGrant));
    dns.trust(decoded(config), work);
    return awaitReady(issuer);
  }

  /** The issuer as soon as the operator reports it Ready. */
  DnsUpdateIssuer awaitReady(DnsUpdateIssuer issuer) {
    String id = issuer.getMetadata().getNamespace() + "/" + issuer.getMetadata().getName();
    return await("DnsUpdateIssuer " + id + " Ready")
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> admin().resource(issuer).get(),
            i ->
                i.getStatus() != null
                    && i.getStatus().getConditions() != null
                    && i.getStatus().getConditions().stream()
                        .anyMatch(
                            c ->
                                ApiConstants.CONDITION_READY.equals(c.getType())
                                    && "True".equals(c.getStatus())));
  }

  static Map<String, String> decoded(Secret s) {
    Map<String, String> out = new HashMap<>();
    s.getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  CommandResult kubectl(String... args) {
    return plane.kubectl(args);
  }

  String kubectlOk(String... args) {
    CommandResult r = plane.kubectl(args);
    if (!r.ok()) {
      throw new IllegalStateException("kubectl " + String.join(" ", args) + ":\n" + r.output());
    }
    return r.output();
  }

  /** A kubeconfig file with a token of a ServiceAccount the chart renders for that component. */
  Path serviceAccountKubeconfig(String component) {
    JsonNode sa = chart.one("ServiceAccount", component);
    String name = sa.path("metadata").path("name").asText();
    return plane.serviceAccountKubeconfig(
        NAMESPACE, name, work.resolve(component + "-" + System.nanoTime() + ".kubeconfig"));
  }

  /** The environment the chart gives a component's container (literal values only). */
  Map<String, String> chartEnv(String component) {
    return chart.literalEnv(component);
  }

  /** The Lease the operator replicas elect their leader with. */
  String leaseName() {
    return chartEnv("operator").getOrDefault("LEASE_NAME", "dnsupdate-operator");
  }

  /** The operator's Deployment env from the chart, as one more replica with its own token. */
  ComponentProcess startOperator(String name) {
    return startOperator(name, Map.of());
  }

  /**
   * One more operator process as {@link #startOperator(String)} makes it, with some of its
   * environment replaced (an extra variable the chart's {@code operator.extraEnv} would add).
   */
  ComponentProcess startOperator(String name, Map<String, String> overrides) {
    Map<String, String> env = chartEnv("operator");
    env.put("KUBECONFIG", serviceAccountKubeconfig("operator").toString());
    // fieldRef metadata.namespace in the chart
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("HTTP_ADDRESS", "127.0.0.1");
    PortReservation http = PortReservation.reserve("127.0.0.1");
    closeLast.add(0, http);
    env.put("HTTP_PORT", String.valueOf(http.port()));
    // the kubelet sets HOSTNAME to the Pod's name; the operator's Lease identity is that name
    env.put("HOSTNAME", name);
    env.putAll(overrides);
    ComponentProcess p = ComponentProcess.jar("operator", name, env, work);
    processes.add(p);
    return p;
  }

  private void startOperators(int replicas) {
    for (int i = 0; i < replicas; i++) {
      startOperator("operator-" + i);
    }
  }

  private void startWebhook(Path tls) {
    Map<String, String> env = chartEnv("webhook");
    env.put("KUBECONFIG", serviceAccountKubeconfig("webhook").toString());
    env.put("TLS_CERT_FILE", tls.resolve("tls.crt").toString());
    env.put("TLS_KEY_FILE", tls.resolve("tls.key").toString());
    env.put("BIND_ADDRESS", "127.0.0.1");
    processes.add(ComponentProcess.jar("webhook", "webhook", env, work));
  }

  /**
   * No kube-proxy runs here, so a ClusterIP cannot reach a process on this machine; an ExternalName
   * Service of localhost makes the aggregator dial the webhook on 127.0.0.1 instead, with the
   * Service's DNS name still the TLS server name.
   */
  private void routeWebhookServiceToLoopback() {
    JsonNode svc = chart.one("Service", "webhook");
    String name = svc.path("metadata").path("name").asText();
    kubectlOk("delete", "service", "-n", NAMESPACE, name);
    String yaml =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: "
            + name
            + "\n  namespace: "
            + NAMESPACE
            + "\nspec:\n  type: ExternalName\n  externalName: localhost\n  ports:\n"
            + "  - name: https\n    port: "
            + webhookPort
            + "\n";
    try {
      Path file = Files.writeString(work.resolve("webhook-service.yaml"), yaml);
      kubectlOk("apply", "-f", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits for cert-manager to issue the chart's serving certificate, writes it where the container
   * would mount it, and puts its CA into the APIService (cainjector's job).
   */
  private Path waitForServingCertificate() throws IOException {
    JsonNode cert =
        chart.filter(Manifests.kind("Certificate")).objects().stream()
            .filter(c -> !c.path("spec").path("isCA").asBoolean())
            .findFirst()
            .orElseThrow();
    String secretName = cert.path("spec").path("secretName").asText();
    Secret secret =
        await("cert-manager issues the webhook serving certificate " + secretName)
            .until(
                () -> admin().secrets().inNamespace(NAMESPACE).withName(secretName).get(),
                s -> s != null && s.getData() != null && s.getData().containsKey("tls.key"));
    Path tls = Files.createDirectories(webhookTls());
    Files.write(tls.resolve("tls.crt"), decode(secret, "tls.crt"));
    Files.write(tls.resolve("tls.key"), decode(secret, "tls.key"));
    String caBundle = secret.getData().get("ca.crt");
    webhookCaPem = new String(decode(secret, "ca.crt"), StandardCharsets.US_ASCII);
    kubectlOk(
        "patch",
        "apiservice",
        APISERVICE,
        "--type=merge",
        "-p",
        "{\"spec\":{\"caBundle\":\"" + caBundle + "\"}}");
    return tls;
  }

  private void awaitApiServiceAvailable() {
    await("APIService " + APISERVICE + " Available=True")
        .until(
            () ->
                kubectl(
                        "get",
                        "apiservice",
                        APISERVICE,
                        "-o",
                        "jsonpath={.status.conditions[?(@.type==\"Available\")].status}")
                    .output()
                    .strip(),
            "True"::equals);
  }

  ConditionFactory await(String what) {
    return Awaitility.await(what)
        .atMost(READY)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(250))
        .dontCatchUncaughtExceptions()
        // everything but a component that died: then waiting on is pointless
        .ignoreExceptionsMatching(e -> !(e instanceof ComponentExited))
        .conditionEvaluationListener(
            c -> {
              for (ComponentProcess p : processes) {
                if (!c.isSatisfied() && p.exitedOnItsOwn()) {
                  throw new ComponentExited(p.name() + " exited:\n" + p.tail(40));
                }
              }
            });
  }

  /** Thrown from the await listener; the only exception an await does not ignore. */
  private static final class ComponentExited extends RuntimeException {
    ComponentExited(String message) {
      super(message, null, false, false);
    }
  }

  List<ComponentProcess> processes() {
    return processes;
  }

  String logTails() {
    StringBuilder out = new StringBuilder(plane == null ? "" : plane.logTails());
    processes.forEach(p -> out.append(p.tail(40)).append('\n'));
    return out.toString();
  }

  private static byte[] decode(Secret s, String key) {
    return Base64.getDecoder().decode(s.getData().get(key));
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    for (AutoCloseable c : closeLast) {
      try {
        c.close();
      } catch (Exception ignored) {
        // keep closing the rest
      }
    }
    // it holds ServiceAccount tokens, the webhook's TLS key and the TSIG key clause given to named
    if (!Commands.keepWorkDirs()) {
      Commands.deleteTree(work);
    }
  }

  /** Gives test methods and constructors the shared cluster. */
  static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
      return p.getParameter().getType() == RealCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
      return shared(e);
    }
  }
}
