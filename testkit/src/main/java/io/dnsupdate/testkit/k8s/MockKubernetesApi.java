package io.dnsupdate.testkit.k8s;

import io.dnsupdate.testkit.TestPki;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * fabric8's mock Kubernetes API server in CRUD mode (objects created are stored, listed, watched)
 * that also answers {@code POST subjectaccessreviews} with a decision the test controls (default:
 * deny) and records every request, so a test can assert which API calls a component made. Stands in
 * for kube-apiserver where no real one is available.
 */
public final class MockKubernetesApi implements AutoCloseable {
  /** Where kube-apiserver publishes the request-header (front-proxy) trust settings. */
  public static final String REQUEST_HEADER_NAMESPACE = "kube-system";

  /** The ConfigMap kube-apiserver writes for extension API servers. */
  public static final String REQUEST_HEADER_CONFIGMAP = "extension-apiserver-authentication";

  /** Path kube-apiserver serves SubjectAccessReviews at. */
  public static final String SUBJECT_ACCESS_REVIEWS =
      "/apis/authorization.k8s.io/v1/subjectaccessreviews";

  /** Held so the level set below sticks (java.util.logging keeps loggers weakly). */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final RecordingDispatcher dispatcher;

  private MockKubernetesApi(
      KubernetesMockServer server, KubernetesClient client, RecordingDispatcher dispatcher) {
    this.server = server;
    this.client = client;
    this.dispatcher = dispatcher;
  }

  /** Starts a mock API server over HTTPS (self-signed) on 127.0.0.1 and a free port. */
  public static MockKubernetesApi start() {
    // one INFO line per request drowns test output; tests read requests() instead
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    RecordingDispatcher dispatcher =
        new RecordingDispatcher(new KubernetesMixedDispatcher(responses));
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            dispatcher,
            true);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new MockKubernetesApi(server, server.createClient(), dispatcher);
  }

  /**
   * Answers JOSDK's SelfSubjectRulesReview (its check of Lease access before leader election) with
   * what the chart grants the operator in its namespace: leases get/create/update/patch. A CRUD
   * mock would otherwise return the review without status and the operator would not start.
   */
  public static void answerLeaseAccessReview(KubernetesMockServer server) {
    SelfSubjectRulesReview review =
        new SelfSubjectRulesReviewBuilder()
            .withNewStatus()
            .withIncomplete(false)
            .withResourceRules(
                new ResourceRuleBuilder()
                    .withApiGroups("coordination.k8s.io")
                    .withResources("leases")
                    .withVerbs("get", "create", "update", "patch")
                    .build())
            .endStatus()
            .build();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, review)
        .always();
  }

  /** An admin client of this server (not recorded apart from its requests). */
  public KubernetesClient client() {
    return client;
  }

  /** The server's base URL, e.g. {@code https://127.0.0.1:34567/}. */
  public String url() {
    return server.url("/");
  }

  /** The underlying fabric8 mock server, for expectations beyond CRUD. */
  public KubernetesMockServer server() {
    return server;
  }

  /** The token {@link #writeKubeconfig(Path)} writes. */
  public static final String DEFAULT_TOKEN = "mock-token";

  /**
   * Writes a kubeconfig pointing at this server (TLS not verified: the mock's certificate is
   * self-signed) with the token {@value #DEFAULT_TOKEN}, and returns the file.
   */
  public Path writeKubeconfig(Path file) {
    return writeKubeconfig(file, DEFAULT_TOKEN);
  }

  /**
   * Writes a kubeconfig with a bearer token of the caller's choice: the server accepts any, and
   * {@link #calls()} tells components apart by it (one token per component).
   */
  public Path writeKubeconfig(Path file, String token) {
    String yaml =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: mock\n"
            + "  cluster:\n"
            + "    server: "
            + url()
            + "\n"
            + "    insecure-skip-tls-verify: true\n"
            + "users:\n"
            + "- name: mock\n"
            + "  user:\n"
            + "    token: "
            + token
            + "\n"
            + "contexts:\n"
            + "- name: mock\n"
            + "  context:\n"
            + "    cluster: mock\n"
            + "    user: mock\n"
            + "    namespace: default\n"
            + "current-context: mock\n";
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates every CustomResourceDefinition in the directory's {@code *.yaml}/{@code *.yml} files,
   * so the server knows the resources' scope and status subresource.
   */
  public void applyCrds(Path crdsDir) {
    List<Path> files;
    try (Stream<Path> s = Files.list(crdsDir)) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + crdsDir, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no CRD YAML files in " + crdsDir);
    }
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        client.apiextensions().v1().customResourceDefinitions().load(in).create();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
  }

  /** Tells the server about a custom resource without a CRD object. */
  public void expectCustomResource(CustomResourceDefinitionContext context) {
    server.expectCustomResource(context);
  }

  /**
   * Creates (or replaces) ConfigMap {@code kube-system/extension-apiserver-authentication} as
   * kube-apiserver writes it when started with {@code --requestheader-client-ca-file} set to the
   * given CA, {@code --requestheader-allowed-names} (empty: any CN that CA signed), and the usual
   * {@code X-Remote-User}, {@code X-Remote-Group}, {@code X-Remote-Extra-} and {@code X-Remote-Uid}
   * headers. {@code client-ca-file} holds a separate cluster CA, as in a real cluster.
   */
  public ConfigMap installRequestHeaderConfig(TestPki frontProxyCa, List<String> allowedNames) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("client-ca-file", TestPki.newCa("kubernetes").certificatePem());
    data.put("requestheader-allowed-names", jsonArray(allowedNames));
    data.put("requestheader-client-ca-file", frontProxyCa.certificatePem());
    data.put("requestheader-extra-headers-prefix", jsonArray(List.of("X-Remote-Extra-")));
    data.put("requestheader-group-headers", jsonArray(List.of("X-Remote-Group")));
    data.put("requestheader-uid-headers", jsonArray(List.of("X-Remote-Uid")));
    data.put("requestheader-username-headers", jsonArray(List.of("X-Remote-User")));
    return installRequestHeaderConfig(data);
  }

  /** Creates (or replaces) the request-header ConfigMap with exactly this data. */
  public ConfigMap installRequestHeaderConfig(Map<String, String> data) {
    ConfigMap cm =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace(REQUEST_HEADER_NAMESPACE)
            .withName(REQUEST_HEADER_CONFIGMAP)
            .endMetadata()
            .withData(data)
            .build();
    return client.resource(cm).createOr(c -> c.update());
  }

  /** Lets SubjectAccessReviews for this user through. */
  public MockKubernetesApi allowUser(String user) {
    dispatcher.allowedUsers.add(user);
    return this;
  }

  /** Lets SubjectAccessReviews for any member of this group through. */
  public MockKubernetesApi allowGroup(String group) {
    dispatcher.allowedGroups.add(group);
    return this;
  }

  /** Denies this user again (the default for everybody). */
  public MockKubernetesApi denyUser(String user) {
    dispatcher.allowedUsers.remove(user);
    return this;
  }

  /** Forgets every allowed user and group: SubjectAccessReviews are denied again. */
  public MockKubernetesApi denyAll() {
    dispatcher.allowedUsers.clear();
    dispatcher.allowedGroups.clear();
    return this;
  }

  /** Specs of every SubjectAccessReview received, in order. */
  public List<SubjectAccessReviewSpec> subjectAccessReviews() {
    return List.copyOf(dispatcher.reviews);
  }

  /**
   * One request received.
   *
   * @param method HTTP method
   * @param path path and query
   * @param token the bearer token it carried, or "" (the {@link #client()} sends none)
   */
  public record Call(String method, String path, String token) {
    /** The path without the query. */
    public String bare() {
      return path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    }
  }

  /** Every request received, in order. */
  public List<Call> calls() {
    return List.copyOf(dispatcher.calls);
  }

  /** Every request received, as {@code "METHOD /path?query"}, in order. */
  public List<String> requests() {
    return List.copyOf(dispatcher.requests);
  }

  /** How many requests had this method and a path (query ignored) starting with the prefix. */
  public long count(String method, String pathPrefix) {
    return dispatcher.requests.stream()
        .filter(r -> r.startsWith(method + " "))
        .map(r -> r.substring(method.length() + 1))
        .map(p -> p.contains("?") ? p.substring(0, p.indexOf('?')) : p)
        .filter(p -> p.startsWith(pathPrefix))
        .count();
  }

  /** Forgets the recorded requests and reviews (stored objects stay). */
  public void clearRecorded() {
    dispatcher.requests.clear();
    dispatcher.calls.clear();
    dispatcher.reviews.clear();
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.destroy();
    }
  }

  private static String jsonArray(List<String> values) {
    return values.stream()
        .map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(",", "[", "]"));
  }

  /** Answers SubjectAccessReviews itself; everything else goes to fabric8's CRUD dispatcher. */
  private static final class RecordingDispatcher extends Dispatcher
      implements Resetable, CustomResourceAware {
    private final KubernetesMixedDispatcher delegate;
    final Set<String> allowedUsers = ConcurrentHashMap.newKeySet();
    final Set<String> allowedGroups = ConcurrentHashMap.newKeySet();
    final Queue<String> requests = new ConcurrentLinkedQueue<>();
    final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    final Queue<SubjectAccessReviewSpec> reviews = new ConcurrentLinkedQueue<>();

    RecordingDispatcher(KubernetesMixedDispatcher delegate) {
      this.delegate = delegate;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      requests.add(request.getMethod() + " " + path);
      String auth = request.getHeader("Authorization");
      calls.add(
          new Call(
              request.getMethod(),
              path,
              auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip() : ""));
      String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
      if ("POST".equals(request.getMethod()) && SUBJECT_ACCESS_REVIEWS.equals(bare)) {
        return review(request);
      }
      return delegate.dispatch(request);
    }

    private MockResponse review(RecordedRequest request) {
      SubjectAccessReview sar;
      try {
        sar = Serialization.unmarshal(request.getUtf8Body(), SubjectAccessReview.class);
      } catch (RuntimeException e) {
        return new MockResponse()
            .setResponseCode(400)
            .setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"BadRequest\",\"code\":400}");
      }
      SubjectAccessReviewSpec spec = sar.getSpec();
      reviews.add(spec);
      List<String> groups = spec.getGroups() == null ? List.of() : spec.getGroups();
      boolean allowed =
          (spec.getUser() != null && allowedUsers.contains(spec.getUser()))
              || groups.stream().anyMatch(allowedGroups::contains);
      SubjectAccessReviewStatus status = new SubjectAccessReviewStatus();
      status.setAllowed(allowed);
      status.setReason(allowed ? "allowed by MockKubernetesApi" : "");
      sar.setStatus(status);
      if (sar.getMetadata() != null) {
        sar.getMetadata().setCreationTimestamp(null);
      }
      return new MockResponse()
          .setResponseCode(201)
          .setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(sar));
    }

    @Override
    public void reset() {
      delegate.reset();
      requests.clear();
      calls.clear();
      reviews.clear();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext rdc) {
      delegate.expectCustomResource(rdc);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public String toString() {
      return "MockKubernetesApi.RecordingDispatcher" + new ArrayList<>(requests);
    }
  }
}
