package io.dnsupdate.webhook.runtime;

import io.dnsupdate.logging.LogLevels;
import io.dnsupdate.webhook.auth.RequestHeaderAuthenticator;
import io.dnsupdate.webhook.auth.RequestHeaderConfigWatcher;
import io.dnsupdate.webhook.auth.SubjectAccessReviewAuthorizer;
import io.dnsupdate.webhook.challenge.ChallengeSolver;
import io.dnsupdate.webhook.challenge.InformerDirectory;
import io.dnsupdate.webhook.challenge.KerberosLogins;
import io.dnsupdate.webhook.challenge.KeyMaterialCache;
import io.dnsupdate.webhook.challenge.ResourceDirectory;
import io.dnsupdate.webhook.challenge.UpdateBatcher;
import io.dnsupdate.webhook.server.Discovery;
import io.dnsupdate.webhook.server.HttpsEndpoint;
import io.dnsupdate.webhook.server.ReloadingKeyManager;
import io.dnsupdate.webhook.server.Router;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running webhook: the HTTPS endpoint, its caches (informers on DnsUpdateIssuers, TsigKeys and
 * the request-header ConfigMap) and the API client. Closing it stops everything it started.
 */
public final class Webhook implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Webhook.class);

  /** Serving-certificate files are re-read at most this often. */
  static final Duration TLS_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final Deque<AutoCloseable> resources;
  private final HttpsEndpoint endpoint;
  private final WebhookMetrics metrics;
  private final RequestHeaderConfigWatcher requestHeader;
  private final InformerDirectory directory;
  private final ReloadingKeyManager keyManager;
  private final Router router;
  private final Duration shutdownGrace;
  private volatile boolean closed;

  private Webhook(
      Deque<AutoCloseable> resources,
      HttpsEndpoint endpoint,
      WebhookMetrics metrics,
      RequestHeaderConfigWatcher requestHeader,
      InformerDirectory directory,
      ReloadingKeyManager keyManager,
      Router router,
      Duration shutdownGrace) {
    this.resources = resources;
    this.router = router;
    this.shutdownGrace = shutdownGrace;
    this.endpoint = endpoint;
    this.metrics = metrics;
    this.requestHeader = requestHeader;
    this.directory = directory;
    this.keyManager = keyManager;
  }

  /**
   * Starts everything and waits up to {@code config.startupWait()} for the caches to fill (the
   * endpoint serves meanwhile; /readyz says when it is ready).
   *
   * @throws IllegalArgumentException when the serving certificate cannot be loaded
   * @throws UncheckedIOException when the port cannot be bound or the kubeconfig read
   */
  public static Webhook start(WebhookConfig config) {
    LogLevels.apply(config.logLevel());
    Clock clock = Clock.systemUTC();
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      WebhookMetrics metrics = WebhookMetrics.prometheus();
      resources.push(metrics::close);
      ReloadingKeyManager keyManager =
          ReloadingKeyManager.load(
              config.tlsCertFile(),
              config.tlsKeyFile(),
              clock,
              TLS_CHECK_INTERVAL,
              metrics::certificateLoaded);

      KubernetesClient client = client(config);
      resources.push(client);
      RequestHeaderConfigWatcher requestHeader =
          RequestHeaderConfigWatcher.start(
              client, config.requestHeaderNamespace(), config.requestHeaderName());
      resources.push(requestHeader);
      InformerDirectory directory = InformerDirectory.start(client);
      resources.push(directory);
      UpdateBatcher batcher =
          config.batchWindow() == null
              ? UpdateBatcher.off(metrics)
              : new UpdateBatcher(config.batchWindow(), config.batchMaxChanges(), metrics);
      resources.push(batcher);

      KerberosLogins logins = KerberosLogins.using(client, clock, metrics);
      resources.push(logins);
      ChallengeSolver solver =
          new ChallengeSolver(
              directory, KeyMaterialCache.using(client, clock), logins, batcher, clock, metrics);
      Router router =
          new Router(
              new RequestHeaderAuthenticator(requestHeader::current, requestHeader::problem, clock),
              SubjectAccessReviewAuthorizer.using(
                  client, config.authorizationCacheTtl(), clock, metrics),
              solver,
              new Discovery(),
              metrics,
              () -> notReady(requestHeader, directory),
              config.limits().maxChallenges());
      HttpsEndpoint endpoint =
          HttpsEndpoint.start(
              config.bindAddress(), config.httpsPort(), keyManager, config.limits(), router);
      resources.push(endpoint);
      Webhook w =
          new Webhook(
              resources,
              endpoint,
              metrics,
              requestHeader,
              directory,
              keyManager,
              router,
              config.limits().shutdownGrace());
      if (!w.awaitReady(config.startupWait())) {
        log.warn(
            "not ready after {} s: {}; serving anyway (/readyz reports 503 until ready)",
            config.startupWait().toSeconds(),
            w.notReadyReason());
      } else {
        log.info(
            "ready on port {} (coalescing {}, at most {} changes per UPDATE)",
            w.port(),
            config.batchWindow() == null
                ? "off"
                : "on, window " + config.batchWindow().toMillis() + " ms",
            config.batchMaxChanges());
      }
      return w;
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  private static KubernetesClient client(WebhookConfig config) {
    if (config.kubeconfig() == null) {
      return new KubernetesClientBuilder().build();
    }
    try {
      String text = Files.readString(config.kubeconfig());
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(text)).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read kubeconfig " + config.kubeconfig(), e);
    }
  }

  private static String notReady(
      RequestHeaderConfigWatcher requestHeader, InformerDirectory directory) {
    if (requestHeader.current() == null) {
      return "request-header authentication: " + requestHeader.problem();
    }
    if (!directory.synced()) {
      return "DnsUpdateIssuers and TsigKeys are not listed yet";
    }
    return null;
  }

  /** Null when ready to solve challenges, else why not. */
  public String notReadyReason() {
    return notReady(requestHeader, directory);
  }

  /** True when ready to solve challenges. */
  public boolean isReady() {
    return !closed && notReadyReason() == null;
  }

  /** Waits until ready or the timeout passes; returns whether it is ready. */
  public boolean awaitReady(Duration timeout) {
    Instant end = Instant.now().plus(timeout);
    while (!isReady()) {
      if (closed || !Instant.now().isBefore(end)) {
        return isReady();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** The HTTPS endpoint (tests look at its connections). */
  HttpsEndpoint endpoint() {
    return endpoint;
  }

  /** The HTTPS port. */
  public int port() {
    return endpoint.port();
  }

  /** {@code https://<bind address>:<port>} (127.0.0.1 when bound to every address). */
  public URI uri() {
    String host =
        endpoint.address().getAddress().isAnyLocalAddress()
            ? "127.0.0.1"
            : endpoint.address().getAddress().getHostAddress();
    return URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  /** The meters (tests read UPDATE counts from them). */
  public WebhookMetrics metrics() {
    return metrics;
  }

  /** The in-memory view of DnsUpdateIssuers and TsigKeys (read-only; tests wait on it). */
  public ResourceDirectory directory() {
    return directory;
  }

  /** Challenges being solved now (tests wait on it). */
  public int challengesInProgress() {
    return router.challengesInProgress();
  }

  /** The serving key manager (tests check reloads). */
  public ReloadingKeyManager keyManager() {
    return keyManager;
  }

  /**
   * What SIGTERM does: readiness fails and new challenges are refused (503 with Retry-After) at
   * once; challenges in progress finish, for at most the shutdown grace (each ends by its own
   * deadline anyway); then everything stops.
   */
  public void shutdown() {
    if (closed) {
      return;
    }
    router.drain();
    int inProgress = router.challengesInProgress();
    log.info(
        "shutting down: not ready, new challenges refused; waiting up to {} s for {} in progress",
        shutdownGrace.toSeconds(),
        inProgress);
    try {
      if (!router.awaitIdle(shutdownGrace)) {
        log.warn(
            "{} challenge(s) still in progress after {} s; stopping anyway",
            router.challengesInProgress(),
            shutdownGrace.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  /** Blocks until {@link #close()} is called or the thread is interrupted. */
  public void awaitTermination() throws InterruptedException {
    synchronized (this) {
      while (!closed) {
        wait();
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll();
    }
    closeAll(resources);
    log.info("stopped");
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        log.warn("closing failed: {}", e.toString());
      }
    }
  }
}
