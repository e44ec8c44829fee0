package io.dnsupdate.testkit;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (RBAC, service-account tokens,
 * the aggregator with front-proxy client certificates) and optionally kube-controller-manager, each
 * a process of its own built from the Go modules in {@code cluster/controlplane}. Every certificate
 * is made here; the processes are stopped by their own handles on close.
 */
public final class KubeControlPlane implements AutoCloseable {

  /** The CN of the aggregator's client certificate; the only name extension servers trust. */
  public static final String FRONT_PROXY_CLIENT = "front-proxy-client";

  /** The first address of the service range: the {@code kubernetes} Service. */
  private static final String SERVICE_RANGE = "10.0.0.0/24";

  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final ClusterBinaries bins;
  private final Duration startTimeout;
  private final boolean controllerManager;
  private final Path workDir;
  private final List<PortReservation> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final TestPki clusterCa = TestPki.newCa("testkit kubernetes CA");
  private final TestPki frontProxyCa = TestPki.newCa("testkit front-proxy CA");
  private final int apiPort;
  private final int etcdPort;
  private final String adminToken;
  private final Path adminKubeconfig;
  private KubernetesClient admin;
  private boolean closed;

  private KubeControlPlane(Builder b) throws IOException {
    this.bins = b.binaries != null ? b.binaries : ClusterBinaries.get();
    this.startTimeout = b.startTimeout;
    this.controllerManager = b.controllerManager;
    this.workDir = Files.createTempDirectory("kube-");
    this.etcdPort = reserve();
    this.apiPort = reserve();
    // fabric8 cannot read a PKCS#8 EC client key, so the admin is a static token (random per run)
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    this.adminToken = HexFormat.of().formatHex(token);
    this.adminKubeconfig =
        writeKubeconfig(
            workDir.resolve("admin.kubeconfig"), "    token: " + adminToken + "\n", "default");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The API server's URL, {@code https://127.0.0.1:<port>}. */
  public URI url() {
    return URI.create("https://" + LOOPBACK + ":" + apiPort);
  }

  /** A kubeconfig of a {@code system:masters} user: for the test's own set-up, never for us. */
  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /** A client with the admin kubeconfig, closed with the control plane. */
  public synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = clientFor(adminKubeconfig);
    }
    return admin;
  }

  private static KubernetesClient clientFor(Path kubeconfig) {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The CA kube-apiserver trusts for front-proxy client certificates (and whose client certificate
   * its aggregator presents to extension API servers).
   */
  public TestPki frontProxyCa() {
    return frontProxyCa;
  }

  /**
   * A kubeconfig that authenticates as the ServiceAccount with a bound token from the real
   * TokenRequest API, as a Pod of that ServiceAccount would: RBAC applies to it for real.
   */
  public Path serviceAccountKubeconfig(String namespace, String serviceAccount, Path file) {
    TokenRequest request =
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build();
    TokenRequest answer =
        admin()
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(request);
    String user = "    token: " + answer.getStatus().getToken() + "\n";
    return writeKubeconfig(file, user, namespace);
  }

  /** Runs the real kubectl with the admin kubeconfig. */
  public CommandResult kubectl(String... args) {
    return kubectlAs(adminKubeconfig, args);
  }

  /** Runs the real kubectl as whoever the kubeconfig names. */
  public CommandResult kubectlAs(Path kubeconfig, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bins.kubectl().toString());
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(args));
    return Commands.run(cmd, null, Duration.ofSeconds(60));
  }

  /** The log files of etcd, kube-apiserver and kube-controller-manager, for failure messages. */
  public String logTails() {
    StringBuilder out = new StringBuilder();
    for (Path log : logs) {
      out.append("--- ").append(log.getFileName()).append('\n');
      out.append(Commands.tail(log, 30)).append('\n');
    }
    return out.toString();
  }

  private void launch() throws IOException {
    Path pki = Files.createDirectories(workDir.resolve("pki"));
    Path caPem = clusterCa.writeCertPem(pki.resolve("ca.crt"));
    IssuedCertificate serving =
        clusterCa.issueServer(
            "kube-apiserver",
            List.of(
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local"),
            List.of(LOOPBACK, "10.0.0.1"));
    serving.writeChainPem(pki.resolve("apiserver.crt"));
    serving.writeKeyPem(pki.resolve("apiserver.key"));
    frontProxyCa.writeCertPem(pki.resolve("front-proxy-ca.crt"));
    IssuedCertificate proxyClient = frontProxyCa.issueClient(FRONT_PROXY_CLIENT);
    proxyClient.writeChainPem(pki.resolve("front-proxy-client.crt"));
    proxyClient.writeKeyPem(pki.resolve("front-proxy-client.key"));
    KeyPair sa = rsaKeyPair();
    Files.writeString(pki.resolve("sa.key"), Pem.privateKey(sa.getPrivate()));
    Files.writeString(pki.resolve("sa.pub"), Pem.publicKey(sa.getPublic()));
    Path tokens = pki.resolve("tokens.csv");
    Files.writeString(tokens, adminToken + ",testkit-admin,testkit-admin,\"system:masters\"\n");

    int etcdPeerPort = reserve();
    String etcdUrl = "http://" + LOOPBACK + ":" + etcdPort;
    String peerUrl = "http://" + LOOPBACK + ":" + etcdPeerPort;
    start(
        "etcd",
        List.of(
            bins.etcd().toString(),
            "--data-dir=" + workDir.resolve("etcd"),
            "--listen-client-urls=" + etcdUrl,
            "--advertise-client-urls=" + etcdUrl,
            "--listen-peer-urls=" + peerUrl,
            "--initial-advertise-peer-urls=" + peerUrl,
            "--initial-cluster=default=" + peerUrl,
            // a test cluster is thrown away: no fsync keeps it fast on a shared disk
            "--unsafe-no-fsync=true",
            "--log-level=warn"));
    HttpClient plain = HttpClient.newHttpClient();
    awaitHttp("etcd /health", plain, URI.create(etcdUrl + "/health"), "\"health\":\"true\"");

    start(
        "kube-apiserver",
        List.of(
            bins.kubeApiserver().toString(),
            "--etcd-servers=" + etcdUrl,
            "--bind-address=" + LOOPBACK,
            "--secure-port=" + apiPort,
            // Loopback only: nothing may dial an address outside this machine. The endpoint
            // reconciler would publish this address in the kubernetes Endpoints, where validation
            // rejects loopback, so it is off (no Pod here uses that Service).
            "--advertise-address=" + LOOPBACK,
            "--endpoint-reconciler-type=none",
            "--service-cluster-ip-range=" + SERVICE_RANGE,
            "--tls-cert-file=" + pki.resolve("apiserver.crt"),
            "--tls-private-key-file=" + pki.resolve("apiserver.key"),
            "--client-ca-file=" + caPem,
            "--token-auth-file=" + tokens,
            "--authorization-mode=RBAC",
            "--service-account-issuer=" + url(),
            "--service-account-key-file=" + pki.resolve("sa.pub"),
            "--service-account-signing-key-file=" + pki.resolve("sa.key"),
            "--requestheader-client-ca-file=" + pki.resolve("front-proxy-ca.crt"),
            "--requestheader-allowed-names=" + FRONT_PROXY_CLIENT,
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--proxy-client-cert-file=" + pki.resolve("front-proxy-client.crt"),
            "--proxy-client-key-file=" + pki.resolve("front-proxy-client.key"),
            "--profiling=false"));
    IssuedCertificate adminCert =
        clusterCa.issueClient("testkit-readyz", List.of("system:masters"));
    HttpClient https = HttpClient.newBuilder().sslContext(adminCert.sslContext(clusterCa)).build();
    awaitHttp("kube-apiserver /readyz", https, url().resolve("/readyz"), "ok");

    if (controllerManager) {
      startControllerManager(pki, caPem);
    }
  }

  private void startControllerManager(Path pki, Path caPem) {
    // Its own identity, bound by kube-apiserver's bootstrap RBAC; each controller then runs with a
    // ServiceAccount token of its own, as kubeadm sets it up.
    Path kubeconfig =
        writeKubeconfig(
            workDir.resolve("controller-manager.kubeconfig"),
            clusterCa.issueClient("system:kube-controller-manager"));
    int port = reserve();
    start(
        "kube-controller-manager",
        List.of(
            bins.kubeControllerManager().toString(),
            "--kubeconfig=" + kubeconfig,
            "--authentication-kubeconfig=" + kubeconfig,
            "--authorization-kubeconfig=" + kubeconfig,
            "--bind-address=" + LOOPBACK,
            "--secure-port=" + port,
            "--use-service-account-credentials=true",
            "--service-account-private-key-file=" + pki.resolve("sa.key"),
            "--root-ca-file=" + caPem,
            "--service-cluster-ip-range=" + SERVICE_RANGE,
            "--leader-elect=true",
            "--profiling=false"));
    // It leads (and so runs its controllers) once it holds its Lease.
    try {
      Waits.within("kube-controller-manager holds its Lease", startTimeout)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptionsMatching(e -> !(e instanceof StartFailure))
          .until(
              () -> {
                failIfExited();
                Lease lease =
                    admin()
                        .leases()
                        .inNamespace("kube-system")
                        .withName("kube-controller-manager")
                        .get();
                return lease != null && lease.getSpec().getHolderIdentity() != null;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(e.getMessage() + "\n" + logTails());
    }
  }

  private void start(String name, List<String> command) {
    Path log = workDir.resolve(name + ".log");
    logs.add(log);
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .directory(workDir.toFile())
              .start();
      Commands.track(p);
      processes.add(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  private void awaitHttp(String what, HttpClient http, URI uri, String bodyContains) {
    try {
      Waits.within(what, startTimeout)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptionsMatching(e -> !(e instanceof StartFailure))
          .until(
              () -> {
                failIfExited();
                HttpResponse<String> r =
                    http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains(bodyContains);
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(e.getMessage() + "\n" + logTails());
    }
  }

  private void failIfExited() {
    for (int i = 0; i < processes.size(); i++) {
      if (!processes.get(i).isAlive()) {
        throw new StartFailure(
            logs.get(i).getFileName()
                + ": exited with "
                + processes.get(i).exitValue()
                + "\n"
                + logTails());
      }
    }
  }

  private Path writeKubeconfig(Path file, IssuedCertificate client) {
    String user =
        "    client-certificate-data: "
            + base64(client.chainPem())
            + "\n    client-key-data: "
            + base64(client.privateKeyPem())
            + "\n";
    return writeKubeconfig(file, user, "default");
  }

  private Path writeKubeconfig(Path file, String user, String namespace) {
    String yaml =
        "apiVersion: v1\nkind: Config\nclusters:\n- name: testkit\n  cluster:\n    server: "
            + url()
            + "\n    certificate-authority-data: "
            + base64(clusterCa.certificatePem())
            + "\nusers:\n- name: testkit\n  user:\n"
            + user
            + "contexts:\n- name: testkit\n  context:\n    cluster: testkit\n    user: testkit\n"
            + "    namespace: "
            + namespace
            + "\ncurrent-context: testkit\n";
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      // it holds a private key or a token
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private int reserve() {
    PortReservation r = PortReservation.reserve(LOOPBACK);
    ports.add(r);
    return r.port();
  }

  /** Stops kube-controller-manager, kube-apiserver and etcd, in that order, by their handles. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close();
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      Commands.terminate(processes.get(i), STOP_GRACE);
    }
    ports.forEach(PortReservation::close);
    if (!Commands.keepWorkDirs()) {
      Commands.deleteTree(workDir);
    }
  }

  @Override
  public String toString() {
    return "KubeControlPlane[" + url() + ", work dir " + workDir + "]";
  }

  /** How to start a control plane. */
  public static final class Builder {
    private ClusterBinaries binaries;
    private Duration startTimeout = Duration.ofMinutes(2);
    private boolean controllerManager = true;

    private Builder() {}

    /** Binaries other than those of {@link ClusterBinaries#get()}. */
    public Builder binaries(ClusterBinaries binaries) {
      this.binaries = binaries;
      return this;
    }

    /** Without kube-controller-manager: no garbage collector, no EndpointSlices. */
    public Builder withoutControllerManager() {
      this.controllerManager = false;
      return this;
    }

    /** How long each process may take to become ready (default 2 minutes, for two cores). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Starts etcd, kube-apiserver and (by default) kube-controller-manager, and waits for them. */
    public KubeControlPlane start() {
      KubeControlPlane plane;
      try {
        plane = new KubeControlPlane(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        plane.launch();
        return plane;
      } catch (IOException e) {
        plane.close();
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        plane.close();
        throw e;
      }
    }
  }
}
