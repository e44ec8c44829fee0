package io.dnsupdate.webhook.server;

import io.dnsupdate.text.LogSafe;
import io.dnsupdate.webhook.auth.Authentication;
import io.dnsupdate.webhook.auth.Authorizer;
import io.dnsupdate.webhook.auth.RequestHeaderAuthenticator;
import io.dnsupdate.webhook.auth.UserInfo;
import io.dnsupdate.webhook.challenge.ChallengePayloadCodec;
import io.dnsupdate.webhook.challenge.ChallengeRequest;
import io.dnsupdate.webhook.challenge.ChallengeResult;
import io.dnsupdate.webhook.challenge.ChallengeSolver;
import io.dnsupdate.webhook.challenge.Deadline;
import io.dnsupdate.webhook.challenge.InvalidPayloadException;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.micrometer.core.instrument.Gauge;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP request: health and metrics without authentication; everything else only for callers
 * kube-apiserver vouches for (401 otherwise, 503 while its request-header settings are not loaded).
 * Discovery documents go to any such caller, as {@code system:discovery} grants them to every
 * authenticated user in Kubernetes — kube-apiserver's availability probe and discovery client among
 * them. Creating a ChallengePayload additionally needs a SubjectAccessReview's yes (403 otherwise);
 * nothing is decoded, looked up or sent before. The body is read without holding a thread; at most
 * {@code maxChallenges} challenges are solved at once (429 beyond), and none once draining began
 * (503).
 */
public final class Router extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** Largest ChallengePayload accepted; real ones are well under 2 KiB. */
  public static final int MAX_BODY = 64 * 1024;

  /**
   * A body over {@link #MAX_BODY} but at most this long is read and dropped before the 413, so the
   * client gets the answer rather than a reset; a longer one is answered at once.
   */
  static final long DRAIN_LIMIT = 1024 * 1024;

  /** Seconds a client told to come back (429, 503) should wait. */
  static final int RETRY_AFTER_SECONDS = 1;

  private static final String JSON = "application/json";

  private final RequestHeaderAuthenticator authenticator;
  private final Authorizer authorizer;
  private final ChallengeSolver solver;
  private final Discovery discovery;
  private final WebhookMetrics metrics;
  private final Supplier<String> notReady;
  private final int maxChallenges;
  private final Clock clock;
  private final Semaphore challenges;
  private volatile ConnectionDeadlines deadlines;
  private volatile boolean draining;

  /**
   * @param notReady why the webhook is not ready to solve challenges, or null when it is
   * @param maxChallenges challenges solved at once; more are answered 429
   */
  public Router(
      RequestHeaderAuthenticator authenticator,
      Authorizer authorizer,
      ChallengeSolver solver,
      Discovery discovery,
      WebhookMetrics metrics,
      Supplier<String> notReady,
      int maxChallenges) {
    super(InvocationType.BLOCKING);
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.solver = solver;
    this.discovery = discovery;
    this.metrics = metrics;
    this.notReady = notReady;
    this.maxChallenges = maxChallenges;
    this.challenges = new Semaphore(maxChallenges);
    this.clock = Clock.systemUTC();
    Gauge.builder("dnsupdate.webhook.challenges.in.progress", this, Router::challengesInProgress)
        .description("Presents and CleanUps being solved now")
        .register(metrics.registry());
  }

  /** Set by the endpoint: bounds how long a request body may take. */
  void deadlines(ConnectionDeadlines deadlines) {
    this.deadlines = deadlines;
  }

  /**
   * Stops accepting challenges: /readyz and new challenges answer 503 from now on. Challenges in
   * progress go on.
   */
  public void drain() {
    draining = true;
  }

  /** Waits until no challenge is in progress, at most {@code timeout}; true when none is. */
  public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
    if (!challenges.tryAcquire(maxChallenges, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return false;
    }
    challenges.release(maxChallenges);
    return true;
  }

  /** Challenges being solved now. */
  public int challengesInProgress() {
    return maxChallenges - challenges.availablePermits();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    ConnectionDeadlines.requestStarted(request);
    Exchange ex = new Exchange(request, response, callback);
    try {
      route(ex);
    } catch (RuntimeException e) {
      log.error(
          "{} {} failed",
          LogSafe.of(request.getMethod()),
          LogSafe.of(request.getHttpURI().getPath()),
          e);
      ex.internalError();
    }
    return true;
  }

  private void route(Exchange ex) {
    String path = normalize(ex.request.getHttpURI().getPath());
    String method = ex.request.getMethod().toUpperCase(Locale.ROOT);
    if (isUnder(path, "/healthz") || isUnder(path, "/livez")) {
      ex.text("health", 200, "ok");
      return;
    }
    if (isUnder(path, "/readyz")) {
      String why = draining ? "shutting down" : notReady.get();
      ex.text("health", why == null ? 200 : 503, why == null ? "ok" : "not ready: " + why);
      return;
    }
    if (path.equals("/metrics")) {
      ex.send(
          "metrics",
          200,
          WebhookMetrics.PROMETHEUS_CONTENT_TYPE,
          metrics.scrape().getBytes(StandardCharsets.UTF_8));
      return;
    }

    String routeName =
        path.equals(Discovery.CHALLENGE)
            ? "challenge"
            : discovery.document(path) != null ? "discovery" : "other";
    Authentication authn = authenticator.authenticate(peerChain(ex.request), headers(ex.request));
    if (authn instanceof Authentication.Unavailable u) {
      ex.retryLater(routeName, 503, "ServiceUnavailable", u.reason());
      return;
    }
    if (authn instanceof Authentication.Unauthenticated u) {
      log.info(
          "401 for {} {} from {}: {}",
          LogSafe.of(method),
          LogSafe.of(path),
          Request.getRemoteAddr(ex.request),
          u.reason());
      ex.status(routeName, 401, "Unauthorized", "Unauthorized: " + u.reason());
      return;
    }
    UserInfo user = ((Authentication.Authenticated) authn).user();

    byte[] document = discovery.document(path);
    if (document != null) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        ex.status(
            routeName,
            405,
            "MethodNotAllowed",
            LogSafe.of(method) + " is not supported on " + path);
        return;
      }
      if (!Discovery.acceptsLegacyJson(ex.request.getHeaders().get(HttpHeader.ACCEPT))) {
        ex.status(
            routeName,
            406,
            "NotAcceptable",
            "only application/json discovery documents are served here (no aggregated"
                + " discovery, as=APIGroupDiscoveryList)");
        return;
      }
      ex.send(routeName, 200, JSON, document);
      return;
    }
    if (path.equals(Discovery.CHALLENGE)) {
      challenge(ex, method, user);
      return;
    }
    ex.status(
        routeName, 404, "NotFound", "the server could not find the requested resource " + path);
  }

  private void challenge(Exchange ex, String method, UserInfo user) {
    String route = "challenge";
    if (!method.equals("POST")) {
      ex.response.getHeaders().put(HttpHeader.ALLOW, "POST");
      ex.status(
          route,
          405,
          "MethodNotAllowed",
          LogSafe.of(method) + " is not supported: ChallengePayloads are only created (POST)");
      return;
    }
    if (draining) {
      ex.retryLater(route, 503, "ServiceUnavailable", "the webhook is shutting down");
      return;
    }
    Boolean dryRun = dryRun(ex);
    if (dryRun == null) {
      return;
    }
    Authorizer.Decision decision;
    try {
      decision = authorizer.authorize(user);
    } catch (Authorizer.AuthorizationException e) {
      log.warn("authorization of user {} failed: {}", LogSafe.of(user.name()), e.getMessage());
      ex.status(route, 500, "InternalError", "authorization failed: " + e.getMessage());
      return;
    }
    if (!decision.allowed()) {
      log.info(
          "403 for user {} (groups {}): {}",
          LogSafe.of(user.name()),
          LogSafe.of(user.groups()),
          LogSafe.of(decision.reason()));
      ex.send(route, 403, JSON, Statuses.forbidden(user.name(), decision.reason()));
      return;
    }
    String contentType = ex.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType != null && !isJson(contentType)) {
      ex.status(
          route,
          415,
          "UnsupportedMediaType",
          "the body must be application/json, not " + LogSafe.of(contentType));
      return;
    }
    ConnectionDeadlines d = deadlines;
    // Jetty has checked that Content-Length is a number and agrees with Transfer-Encoding
    long length = ex.request.getLength();
    if (length > MAX_BODY) {
      if (length > DRAIN_LIMIT) {
        ex.status(route, 413, "RequestEntityTooLarge", tooLarge());
        return;
      }
      // Read and drop the body first: a connection closed on unread bytes is reset, and the
      // client, still sending, may see the reset instead of the 413. Under the body timeout.
      if (d != null) {
        d.bodyStarted(ex.request);
      }
      // read to its end or failed on the way, the answer is the same 413
      Content.Source.consumeAll(
          ex.request,
          Callback.from(
              () -> {
                ConnectionDeadlines.bodyDone(ex.request);
                ex.status(route, 413, "RequestEntityTooLarge", tooLarge());
              }));
      return;
    }
    if (d != null) {
      d.bodyStarted(ex.request);
    }
    Content.Source.asByteArrayAsync(ex.request, MAX_BODY + 1)
        .whenCompleteAsync(
            (body, failure) -> {
              ConnectionDeadlines.bodyDone(ex.request);
              try {
                if (failure != null) {
                  bodyFailed(ex, route, failure);
                } else {
                  admit(ex, route, user, body, dryRun);
                }
              } catch (RuntimeException e) {
                log.error("challenge failed", e);
                ex.internalError();
              }
            },
            ex.request.getComponents().getExecutor());
  }

  private void bodyFailed(Exchange ex, String route, Throwable failure) {
    Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
    if (Request.getContentBytesRead(ex.request) > MAX_BODY
        || cause instanceof IllegalArgumentException) {
      ex.status(route, 413, "RequestEntityTooLarge", tooLarge());
      return;
    }
    log.debug(
        "request body from {} not read: {}", Request.getRemoteAddr(ex.request), cause.toString());
    ex.status(route, 400, "BadRequest", "the request body could not be read");
  }

  /** A challenge in progress holds a permit until its answer is written. */
  private void admit(Exchange ex, String route, UserInfo user, byte[] body, boolean dryRun) {
    if (body.length > MAX_BODY) {
      ex.status(route, 413, "RequestEntityTooLarge", tooLarge());
      return;
    }
    ChallengeRequest request;
    try {
      request = ChallengePayloadCodec.decode(body);
    } catch (InvalidPayloadException e) {
      log.info("400 for user {}: {}", LogSafe.of(user.name()), e.getMessage());
      ex.status(route, 400, "BadRequest", e.getMessage());
      return;
    }
    if (!challenges.tryAcquire()) {
      ex.retryLater(
          route,
          429,
          "TooManyRequests",
          "the webhook is solving "
              + maxChallenges
              + " challenges already (--max-challenges); try again later");
      return;
    }
    ex.onComplete(challenges::release);
    if (draining) {
      ex.retryLater(route, 503, "ServiceUnavailable", "the webhook is shutting down");
      return;
    }
    ChallengeResult result = solveUnlessAbandoned(ex, request, dryRun);
    ex.send(route, 201, JSON, ChallengePayloadCodec.encode(request, result));
  }

  /**
   * Solves on this thread with the deadline stamped at the request's arrival (Jetty's begin time,
   * so time spent queued for a thread counts). If Jetty fails the request meanwhile, the thread is
   * interrupted and the deadline says the caller has gone: a change still waiting for its UPDATE
   * message is withdrawn, and the solver sends nothing more. Over HTTP/2 (kube-apiserver's
   * aggregator uses it) a caller that hangs up or times out resets its stream, and Jetty fails the
   * request as the RST_STREAM arrives, so such work stops before its UPDATE; so does work whose
   * HTTP/2 connection closes. Jetty does not read an HTTP/1.1 connection while a request is
   * handled, so there a client that merely hangs up is noticed only when the answer is written; the
   * budget still ends such work.
   */
  private ChallengeResult solveUnlessAbandoned(
      Exchange ex, ChallengeRequest request, boolean dryRun) {
    long queuedNanos = System.nanoTime() - ex.request.getBeginNanoTime();
    Instant arrival = clock.instant().minusNanos(Math.max(0, queuedNanos));
    CallerWatch watch = new CallerWatch();
    ex.request.addFailureListener(
        failure -> {
          log.debug(
              "the caller of a challenge from {} went away ({}): stopping it",
              Request.getRemoteAddr(ex.request),
              failure.toString());
          watch.gone();
        });
    Deadline deadline = Deadline.fromArrival(arrival, watch::isGone);
    watch.solving(Thread.currentThread());
    try {
      return solver.solve(request, deadline, dryRun);
    } finally {
      watch.solving(null);
    }
  }

  /** Interrupts the solving thread when the caller goes, and only while it solves. */
  private static final class CallerWatch {
    private Thread solving;
    private boolean gone;

    synchronized void solving(Thread t) {
      solving = t;
      if (t == null) {
        Thread.interrupted(); // an interrupt meant for this solve stays with it
      } else if (gone) {
        t.interrupt();
      }
    }

    synchronized void gone() {
      gone = true;
      if (solving != null) {
        solving.interrupt();
      }
    }

    synchronized boolean isGone() {
      return gone;
    }
  }

  /**
   * Kubernetes' {@code dryRun} query parameter, as kube-apiserver passes it on to an aggregated
   * API's create: absent (false) or {@code All} (true); anything else is answered 400 as
   * kube-apiserver answers it, and null returned.
   */
  private static Boolean dryRun(Exchange ex) {
    List<String> values;
    try {
      values = Request.extractQueryParameters(ex.request).getValuesOrEmpty("dryRun");
    } catch (IllegalArgumentException e) {
      ex.status("challenge", 400, "BadRequest", "the query string cannot be decoded");
      return null;
    }
    for (String v : values) {
      if (!v.equals("All")) {
        ex.status(
            "challenge",
            400,
            "BadRequest",
            "dryRun: Unsupported value: \"" + LogSafe.of(v) + "\": supported values: \"All\"");
        return null;
      }
    }
    return !values.isEmpty();
  }

  private static String tooLarge() {
    return "the request body is larger than "
        + MAX_BODY
        + " bytes; a ChallengePayload is far smaller";
  }

  private static boolean isJson(String contentType) {
    String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    return type.equals("application/json")
        || (type.startsWith("application/") && type.endsWith("+json"));
  }

  /** ALPN's name for the request's protocol, a low-cardinality metric tag. */
  private static String protocol(Request request) {
    return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2
        ? "h2"
        : "http/1.1";
  }

  private static List<X509Certificate> peerChain(Request request) {
    if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
        instanceof EndPoint.SslSessionData ssl)) {
      return List.of();
    }
    X509Certificate[] certs = ssl.peerCertificates();
    return certs == null ? List.of() : List.of(certs);
  }

  private static Map<String, List<String>> headers(Request request) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (HttpField f : request.getHeaders()) {
      out.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
    }
    return out;
  }

  private static String normalize(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static boolean isUnder(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** One request and its answer; the callback completes once the answer is written. */
  private final class Exchange {
    final Request request;
    final Response response;
    private final Callback callback;
    private final List<Runnable> onComplete = new ArrayList<>(1);
    private boolean finished;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
    }

    void onComplete(Runnable r) {
      onComplete.add(r);
    }

    void status(String route, int code, String reason, String message) {
      send(route, code, JSON, Statuses.failure(code, reason, message));
    }

    /**
     * 429 or 503 with {@code Retry-After}. Over HTTP/1.1 the answer also closes the connection: a
     * client told to come back later holds no connection meanwhile, with its TLS and HTTP state
     * (~16 KB of heap each, WebhookMemoryBenchmark), and a webhook shutting down sheds its
     * connections. An h2 connection stays: it carries other streams (kube-apiserver's aggregator).
     */
    void retryLater(String route, int code, String reason, String message) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
      if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_2) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      }
      send(route, code, JSON, Statuses.retryLater(code, reason, message, RETRY_AFTER_SECONDS));
    }

    void text(String route, int code, String body) {
      send(route, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    void internalError() {
      if (response.isCommitted()) {
        finish(new IllegalStateException("failed after the answer began"));
        return;
      }
      status("other", 500, "InternalError", "internal error; the webhook's log has the details");
    }

    void send(String route, int code, String contentType, byte[] body) {
      metrics.request(route, code, protocol(request));
      response.setStatus(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      boolean head = request.getMethod().equalsIgnoreCase("HEAD");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, head ? 0 : body.length);
      response.write(
          true,
          head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body),
          Callback.from(() -> finish(null), this::finish));
    }

    private void finish(Throwable failure) {
      synchronized (this) {
        if (finished) {
          return; // a failure after the answer began: the request is counted done once
        }
        finished = true;
      }
      onComplete.forEach(Runnable::run);
      onComplete.clear();
      ConnectionDeadlines d = deadlines;
      if (d != null) {
        d.requestDone(request);
      }
      if (failure == null) {
        callback.succeeded();
      } else {
        log.debug(
            "answer to {} not written: {}", Request.getRemoteAddr(request), failure.toString());
        callback.failed(failure);
      }
    }
  }
}
