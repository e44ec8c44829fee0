package io.dnsupdate.e2e;

import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.e2e.demo.DemoOptions;
import io.dnsupdate.operator.OperatorMain;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.PebbleServer;
import io.dnsupdate.testkit.RepositoryFiles;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.webhook.WebhookMain;
import io.dnsupdate.webhook.runtime.Webhook;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Everything the flow runs against, on 127.0.0.1: a real named, a real Pebble, an embedded
 * Kubernetes API (fabric8's mock server in CRUD mode: no real kube-apiserver can run here), and the
 * operator and the webhook started through their real entry points with production flags.
 */
public final class LocalStack implements AutoCloseable {
  /** cert-manager's ServiceAccount, the identity kube-apiserver forwards for its calls. */
  public static final String CERT_MANAGER_USER = "system:serviceaccount:cert-manager:cert-manager";

  /** The bearer tokens the operator and the webhook use with the embedded API server. */
  public static final String OPERATOR_TOKEN = "operator";

  public static final String WEBHOOK_TOKEN = "webhook";

  /** The CN of kube-apiserver's front-proxy client certificate (--proxy-client-cert-file). */
  public static final String FRONT_PROXY_CN = "front-proxy-client";

  private final List<AutoCloseable> resources = new ArrayList<>();
  private LocalNameserver nameserver;
  private PebbleServer pebble;
  private MockKubernetesApi api;
  private Webhook webhook;
  private FrontProxyClient frontProxy;
  private IssuedCertificate frontProxyCert;
  private TestPki servingCa;
  private Path workDir;
  private DemoOptions options;
  private URI acmeDirectory;
  private SSLContext acmeTrust;

  private LocalStack() {}

  /**
   * Starts every component, reporting each to {@code log}.
   *
   * @param operatorArgs extra operator flags (e.g. a short probe interval for tests)
   */
  public static LocalStack start(
      Path workDir, StepLog log, DemoOptions options, List<String> operatorArgs) throws Exception {
    LocalStack stack = new LocalStack();
    try {
      stack.workDir = workDir;
      stack.options = options;
      stack.startAll(log, operatorArgs);
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
  }

  /** Everything local; the operator re-probes a failing issuer every 2 s instead of 30 s. */
  public static LocalStack start(Path workDir, StepLog log, DemoOptions options) throws Exception {
    return start(workDir, log, options, List.of("--retry-interval=2s"));
  }

  private void startAll(StepLog log, List<String> operatorArgs) throws Exception {
    InetSocketAddress dns;
    if (options.localNameserver()) {
      nameserver = keep(LocalNameserver.start());
      dns = nameserver.named().socketAddress();
      log.done("nameserver: BIND named on " + nameserver.hostPort() + " serving example.test.");
    } else {
      Nameserver ns = Nameserver.parse(options.nameserver());
      dns = new InetSocketAddress(ns.host(), ns.portOr(Transport.TCP));
      log.done("nameserver: yours, " + options.nameserver());
    }

    if (options.acmeDirectory() == null) {
      pebble = keep(PebbleServer.start(dns));
      acmeDirectory = pebble.directoryUrl();
      acmeTrust = pebble.sslContext();
      log.done(
          "ACME server: Pebble at "
              + acmeDirectory
              + ", resolving via "
              + dns.getHostString()
              + ":"
              + dns.getPort());
    } else {
      acmeDirectory = options.acmeDirectory();
      acmeTrust = SSLContext.getDefault();
      log.done("ACME server: yours, " + acmeDirectory);
    }

    api = keep(MockKubernetesApi.start());
    api.applyCrds(crdsDir());
    TestPki frontProxyCa = TestPki.newCa("front-proxy-ca");
    frontProxyCert = frontProxyCa.issueClient(FRONT_PROXY_CN);
    api.installRequestHeaderConfig(frontProxyCa, List.of(FRONT_PROXY_CN));
    api.allowUser(CERT_MANAGER_USER);
    MockKubernetesApi.answerLeaseAccessReview(api.server());
    // one token per component, so each one's calls can be checked against its own RBAC
    Path kubeconfig = api.writeKubeconfig(workDir.resolve("operator.kubeconfig"), OPERATOR_TOKEN);
    Path webhookKubeconfig =
        api.writeKubeconfig(workDir.resolve("webhook.kubeconfig"), WEBHOOK_TOKEN);
    log.done("Kubernetes API: embedded at " + api.url() + " with the CRDs from crds/");

    List<String> args = new ArrayList<>();
    args.add("--kubeconfig=" + kubeconfig);
    args.add("--lease-namespace=dnsupdate-system");
    args.add("--http-address=127.0.0.1");
    args.add("--http-port=0");
    args.addAll(operatorArgs);
    keep(OperatorMain.start(args.toArray(String[]::new)));
    log.done("operator: started (leader election on Lease dnsupdate-system/dnsupdate-operator)");

    servingCa = TestPki.newCa("dnsupdate-webhook-ca");
    IssuedCertificate serving =
        servingCa.issueServer("dnsupdate-webhook", List.of("localhost"), List.of("127.0.0.1"));
    Path tls = Files.createDirectories(workDir.resolve("tls"));
    serving.writeChainPem(tls.resolve("tls.crt"));
    serving.writeKeyPem(tls.resolve("tls.key"));
    webhook =
        keep(
            WebhookMain.start(
                new String[] {
                  "--kubeconfig=" + webhookKubeconfig,
                  "--tls-cert-file=" + tls.resolve("tls.crt"),
                  "--tls-key-file=" + tls.resolve("tls.key"),
                  "--bind-address=127.0.0.1",
                  "--https-port=0"
                }));
    if (!webhook.awaitReady(Duration.ofSeconds(30))) {
      throw new IllegalStateException("webhook not ready: " + webhook.notReadyReason());
    }
    frontProxy =
        FrontProxyClient.builder(webhook.uri(), servingCa)
            .clientCertificate(frontProxyCert)
            .user(CERT_MANAGER_USER)
            .groups("system:serviceaccounts", "system:serviceaccounts:cert-manager")
            .timeout(Duration.ofSeconds(60))
            .build();
    log.done("webhook: serving HTTPS at " + webhook.uri() + " behind front-proxy authentication");
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource);
    return resource;
  }

  /** The repository's generated CRDs. */
  static Path crdsDir() {
    return RepositoryFiles.find("crds");
  }

  /** The local named, or null when the demo runs against your nameserver. */
  public LocalNameserver nameserver() {
    return nameserver;
  }

  /** The local Pebble, or null when the demo runs against your ACME server. */
  public PebbleServer pebble() {
    return pebble;
  }

  public URI acmeDirectory() {
    return acmeDirectory;
  }

  public SSLContext acmeTrust() {
    return acmeTrust;
  }

  public DemoOptions options() {
    return options;
  }

  public MockKubernetesApi api() {
    return api;
  }

  public Webhook webhook() {
    return webhook;
  }

  /** Calls the webhook as kube-apiserver does on behalf of cert-manager. */
  public FrontProxyClient frontProxy() {
    return frontProxy;
  }

  public Path workDir() {
    return workDir;
  }

  @Override
  public void close() {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        System.err.println("closing " + r + ": " + e);
      }
    }
    resources.clear();
  }
}
