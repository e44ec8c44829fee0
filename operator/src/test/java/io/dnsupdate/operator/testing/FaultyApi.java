package io.dnsupdate.operator.testing;

import io.fabric8.kubernetes.api.model.StatusBuilder;
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
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode, on 127.0.0.1, that fails chosen requests with a chosen
 * HTTP status and Kubernetes {@code Status} body until the test lifts the fault: RBAC that denies a
 * verb, an admission webhook that fails or rejects, a writer that keeps conflicting.
 */
public final class FaultyApi implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final FaultDispatcher dispatcher;

  private FaultyApi(KubernetesMockServer server, FaultDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = server.createClient();
  }

  /** Starts the server (HTTPS, self-signed) on 127.0.0.1 and a free port. */
  public static FaultyApi start() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    FaultDispatcher dispatcher = new FaultDispatcher(new KubernetesMixedDispatcher(responses));
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            dispatcher,
            true);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new FaultyApi(server, dispatcher);
  }

  public KubernetesMockServer server() {
    return server;
  }

  /** An admin client of the server. */
  public KubernetesClient client() {
    return client;
  }

  /** A fault in force until {@link #lift()}: matching requests are answered with it. */
  public final class Fault {
    private final String method;
    private final Pattern path;
    private final int code;
    private final Function<String, String> message;
    private final Queue<String> bodies = new ConcurrentLinkedQueue<>();

    private Fault(String method, Pattern path, int code, Function<String, String> message) {
      this.method = method;
      this.path = path;
      this.code = code;
      this.message = message;
    }

    /** How many requests it failed. */
    public int count() {
      return bodies.size();
    }

    /** The bodies of the requests it failed, in order. */
    public List<String> bodies() {
      return List.copyOf(bodies);
    }

    /** Lets matching requests through again. */
    public void lift() {
      dispatcher.faults.remove(this);
    }

    boolean matches(RecordedRequest request) {
      String p = request.getPath();
      String bare = p.contains("?") ? p.substring(0, p.indexOf('?')) : p;
      return method.equals(request.getMethod()) && path.matcher(bare).matches();
    }

    MockResponse answer(RecordedRequest request) {
      String body = request.getUtf8Body();
      bodies.add(body == null ? "" : body);
      String text = message.apply(body == null ? "" : body);
      return new MockResponse()
          .setResponseCode(code)
          .setHeader("Content-Type", "application/json")
          .setBody(
              Serialization.asJson(
                  new StatusBuilder()
                      .withStatus("Failure")
                      .withCode(code)
                      .withReason(reason(code))
                      .withMessage(text)
                      .build()));
    }
  }

  /**
   * Fails every {@code method} request whose path (without query) matches {@code pathRegex} with
   * {@code code}; the Status message is {@code message} applied to the request body (a hostile
   * admission webhook may echo it).
   */
  public Fault fail(String method, String pathRegex, int code, Function<String, String> message) {
    Fault fault = new Fault(method, Pattern.compile(pathRegex), code, message);
    dispatcher.faults.add(fault);
    return fault;
  }

  /** As {@link #fail(String, String, int, Function)} with a fixed message. */
  public Fault fail(String method, String pathRegex, int code, String message) {
    return fail(method, pathRegex, code, body -> message);
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.destroy();
    }
  }

  private static String reason(int code) {
    return switch (code) {
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 409 -> "Conflict";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      default -> code >= 500 ? "InternalError" : "BadRequest";
    };
  }

  /** Faults first; everything else goes to fabric8's CRUD dispatcher. */
  private static final class FaultDispatcher extends Dispatcher
      implements Resetable, CustomResourceAware {
    private final KubernetesMixedDispatcher delegate;
    final List<Fault> faults = new CopyOnWriteArrayList<>();

    FaultDispatcher(KubernetesMixedDispatcher delegate) {
      this.delegate = delegate;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      for (Fault f : faults) {
        if (f.matches(request)) {
          return f.answer(request);
        }
      }
      return delegate.dispatch(request);
    }

    @Override
    public void reset() {
      faults.clear();
      delegate.reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext rdc) {
      delegate.expectCustomResource(rdc);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }
  }
}
