package io.dnsupdate.webhook.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import io.dnsupdate.webhook.auth.Authentication;
import io.dnsupdate.webhook.auth.Authorizer;
import io.dnsupdate.webhook.auth.RequestHeaderAuthenticator;
import io.dnsupdate.webhook.auth.UserInfo;
import io.dnsupdate.webhook.challenge.ChallengePayloadCodec;
import io.dnsupdate.webhook.challenge.ChallengeRequest;
import io.dnsupdate.webhook.challenge.ChallengeResult;
import io.dnsupdate.webhook.challenge.ChallengeSolver;
import io.dnsupdate.webhook.challenge.InvalidPayloadException;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.dnsupdate.webhook.text.LogSafe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP request: health and metrics without authentication; everything else only for callers
 * kube-apiserver vouches for (401 otherwise). Discovery documents go to any such caller, as {@code
 * system:discovery} grants them to every authenticated user in Kubernetes — kube-apiserver's
 * availability probe and discovery client among them. Creating a ChallengePayload additionally
 * needs a SubjectAccessReview's yes (403 otherwise); nothing is decoded, looked up or sent before.
 */
public final class Router implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** Largest ChallengePayload accepted; real ones are well under 2 KiB. */
  public static final int MAX_BODY = 64 * 1024;

  private static final String JSON = "application/json";

  /** Unread request bodies up to this size are read and dropped before closing. */
  private static final long DRAIN_LIMIT = 1024 * 1024;

  private final RequestHeaderAuthenticator authenticator;
  private final Authorizer authorizer;
  private final ChallengeSolver solver;
  private final Discovery discovery;
  private final WebhookMetrics metrics;
  private final Supplier<String> notReady;

  /**
   * @param notReady why the webhook is not ready to solve challenges, or null when it is
   */
  public Router(
      RequestHeaderAuthenticator authenticator,
      Authorizer authorizer,
      ChallengeSolver solver,
      Discovery discovery,
      WebhookMetrics metrics,
      Supplier<String> notReady) {
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.solver = solver;
    this.discovery = discovery;
    this.metrics = metrics;
    this.notReady = notReady;
  }

  @Override
  public void handle(HttpExchange ex) {
    try {
      route(ex);
    } catch (IOException e) {
      log.debug("connection from {} failed: {}", ex.getRemoteAddress(), e.toString());
    } catch (RuntimeException e) {
      log.error(
          "{} {} failed",
          LogSafe.of(ex.getRequestMethod()),
          LogSafe.of(ex.getRequestURI().getPath()),
          e);
      try {
        status(
            ex, "other", 500, "InternalError", "internal error; the webhook's log has the details");
      } catch (IOException | RuntimeException ignored) {
        // the response was probably under way already
      }
    } finally {
      ex.close();
    }
  }

  /**
   * Reads what is left of the request body (up to a bound) before answering: the JDK server closes
   * a connection whose request was not read to the end, and closing a socket with unread data makes
   * TCP reset it, so the client would lose the answer (a 401 or 413) sent just before.
   */
  private static void drain(HttpExchange ex) {
    try {
      InputStream in = ex.getRequestBody();
      byte[] buf = new byte[8192];
      long left = DRAIN_LIMIT;
      int n;
      while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException | RuntimeException ignored) {
      // the client went away; nothing to answer
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String path = normalize(ex.getRequestURI().getPath());
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    if (isUnder(path, "/healthz") || isUnder(path, "/livez")) {
      text(ex, "health", 200, "ok");
      return;
    }
    if (isUnder(path, "/readyz")) {
      String why = notReady.get();
      text(ex, "health", why == null ? 200 : 503, why == null ? "ok" : "not ready: " + why);
      return;
    }
    if (path.equals("/metrics")) {
      send(
          ex,
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
    Authentication authn = authenticator.authenticate(peerChain(ex), ex.getRequestHeaders());
    if (authn instanceof Authentication.Unauthenticated u) {
      log.info(
          "401 for {} {} from {}: {}",
          LogSafe.of(method),
          LogSafe.of(path),
          ex.getRemoteAddress(),
          u.reason());
      status(ex, routeName, 401, "Unauthorized", "Unauthorized: " + u.reason());
      return;
    }
    UserInfo user = ((Authentication.Authenticated) authn).user();

    byte[] document = discovery.document(path);
    if (document != null) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        status(
            ex,
            routeName,
            405,
            "MethodNotAllowed",
            LogSafe.of(method) + " is not supported on " + path);
        return;
      }
      if (!Discovery.acceptsLegacyJson(ex.getRequestHeaders().getFirst("Accept"))) {
        status(
            ex,
            routeName,
            406,
            "NotAcceptable",
            "only application/json discovery documents are served here (no aggregated"
                + " discovery, as=APIGroupDiscoveryList)");
        return;
      }
      send(ex, routeName, 200, JSON, document);
      return;
    }
    if (path.equals(Discovery.CHALLENGE)) {
      challenge(ex, method, user);
      return;
    }
    status(
        ex, routeName, 404, "NotFound", "the server could not find the requested resource " + path);
  }

  private void challenge(HttpExchange ex, String method, UserInfo user) throws IOException {
    String route = "challenge";
    if (!method.equals("POST")) {
      ex.getResponseHeaders().set("Allow", "POST");
      status(
          ex,
          route,
          405,
          "MethodNotAllowed",
          method + " is not supported: ChallengePayloads are only created (POST)");
      return;
    }
    Authorizer.Decision decision;
    try {
      decision = authorizer.authorize(user);
    } catch (Authorizer.AuthorizationException e) {
      log.warn("authorization of user {} failed: {}", LogSafe.of(user.name()), e.getMessage());
      status(ex, route, 500, "InternalError", "authorization failed: " + e.getMessage());
      return;
    }
    if (!decision.allowed()) {
      log.info(
          "403 for user {} (groups {}): {}",
          LogSafe.of(user.name()),
          LogSafe.of(user.groups()),
          LogSafe.of(decision.reason()));
      send(ex, route, 403, JSON, Statuses.forbidden(user.name(), decision.reason()));
      return;
    }
    String contentType = ex.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      status(
          ex,
          route,
          415,
          "UnsupportedMediaType",
          "the body must be application/json, not " + LogSafe.of(contentType));
      return;
    }
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > MAX_BODY) {
          status(ex, route, 413, "RequestEntityTooLarge", tooLarge());
          return;
        }
      } catch (NumberFormatException e) {
        status(ex, route, 400, "BadRequest", "Content-Length is not a number");
        return;
      }
    }
    byte[] body = readAtMost(ex.getRequestBody(), MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      status(ex, route, 413, "RequestEntityTooLarge", tooLarge());
      return;
    }
    ChallengeRequest request;
    try {
      request = ChallengePayloadCodec.decode(body);
    } catch (InvalidPayloadException e) {
      log.info("400 for user {}: {}", LogSafe.of(user.name()), e.getMessage());
      status(ex, route, 400, "BadRequest", e.getMessage());
      return;
    }
    ChallengeResult result = solver.solve(request);
    send(ex, route, 201, JSON, ChallengePayloadCodec.encode(request, result));
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

  private static List<X509Certificate> peerChain(HttpExchange ex) {
    if (!(ex instanceof HttpsExchange https) || https.getSSLSession() == null) {
      return List.of();
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : https.getSSLSession().getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while (out.size() < limit
        && (n = in.read(buf, 0, Math.min(buf.length, limit - out.size()))) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
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

  private void status(HttpExchange ex, String route, int code, String reason, String message)
      throws IOException {
    send(ex, route, code, JSON, Statuses.failure(code, reason, message));
  }

  private void text(HttpExchange ex, String route, int code, String body) throws IOException {
    send(ex, route, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private void send(HttpExchange ex, String route, int code, String contentType, byte[] body)
      throws IOException {
    drain(ex);
    metrics.request(route, code);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Cache-Control", "no-cache, private");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
      ex.sendResponseHeaders(code, -1);
      return;
    }
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
