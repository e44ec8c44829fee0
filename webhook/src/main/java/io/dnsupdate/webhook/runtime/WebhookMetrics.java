package io.dnsupdate.webhook.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook's Micrometer meters. Tags take few values (action, outcome, enum reasons, route,
 * status class), never names, namespaces or users, so the series count stays small.
 */
public final class WebhookMetrics {
  /** Prometheus text exposition format served at /metrics. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;

  /*
   * Meters recorded per request, by their tag values. Each is still registered on first use, as
   * before, but later calls find it with one map read: a builder and the registry's own lookup
   * (tags sorted, an id built and hashed) per call were ~4% of a challenge's CPU on the request
   * threads (JFR, WebhookBenchmark).
   */
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Timer> challengeTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> challengeFailures = new ConcurrentHashMap<>();
  private final Map<String, Counter> dnsUpdates = new ConcurrentHashMap<>();
  private final Map<String, Counter> authorizations = new ConcurrentHashMap<>();
  private volatile DistributionSummary dnsUpdateChanges;

  private WebhookMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
  }

  /** Meters published in Prometheus format, with JVM and process meters. */
  public static WebhookMetrics prometheus() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    return new WebhookMetrics(r, r);
  }

  /** Meters kept in memory only (unit tests). */
  public static WebhookMetrics inMemory() {
    return new WebhookMetrics(new SimpleMeterRegistry(), null);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition, or an empty text when not publishing to Prometheus. */
  public String scrape() {
    return prometheus == null ? "" : prometheus.scrape();
  }

  /**
   * One HTTP request answered.
   *
   * @param route challenge, discovery, health, metrics or other
   * @param status the HTTP status code
   * @param protocol h2 or http/1.1 (ALPN's names): whether kube-apiserver reaches the webhook over
   *     HTTP/2, where a caller that hangs up stops its challenge at once
   */
  public void request(String route, int status, String protocol) {
    requests
        .computeIfAbsent(
            route + ' ' + status + ' ' + protocol,
            k ->
                Counter.builder("dnsupdate.webhook.requests")
                    .description("HTTP requests answered, by route, status code and protocol")
                    .tag("route", route)
                    .tag("code", String.valueOf(status))
                    .tag("protocol", protocol)
                    .register(registry))
        .increment();
  }

  /**
   * One challenge processed (after authentication, authorization and decoding).
   *
   * @param action present or cleanup
   * @param reason null on success, else the CamelCase failure reason
   */
  public void challenge(String action, String reason, Duration duration) {
    String outcome = reason == null ? "success" : "failure";
    challengeTimers
        .computeIfAbsent(
            action + ' ' + outcome,
            k ->
                Timer.builder("dnsupdate.webhook.challenge")
                    .description("Present and CleanUp calls, by action and outcome")
                    .tag("action", action.toLowerCase(Locale.ROOT))
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry))
        .record(duration);
    if (reason != null) {
      challengeFailures
          .computeIfAbsent(
              action + ' ' + reason,
              k ->
                  Counter.builder("dnsupdate.webhook.challenge.failures")
                      .description("Failed Present and CleanUp calls, by action and reason")
                      .tag("action", action.toLowerCase(Locale.ROOT))
                      .tag("reason", reason)
                      .register(registry))
          .increment();
    }
  }

  /**
   * One UPDATE message sent (or attempted).
   *
   * @param changes how many TXT changes it carried
   * @param reason null when the server applied it, else the CamelCase failure reason
   */
  public void dnsUpdate(int changes, String reason) {
    String outcome = reason == null ? "success" : reason;
    dnsUpdates
        .computeIfAbsent(
            outcome,
            k ->
                Counter.builder("dnsupdate.webhook.dns.updates")
                    .description("UPDATE messages sent, by outcome")
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
    DistributionSummary s = dnsUpdateChanges;
    if (s == null) {
      // registering twice is harmless: the registry answers the same meter
      s =
          DistributionSummary.builder("dnsupdate.webhook.dns.update.changes")
              .description("TXT changes carried per UPDATE message")
              .baseUnit("changes")
              .register(registry);
      dnsUpdateChanges = s;
    }
    s.record(changes);
  }

  /**
   * One authorization decision.
   *
   * @param decision allowed, denied or error
   * @param source review (asked the API server), cache or masters (system:masters, no review)
   */
  public void authorization(String decision, String source) {
    authorizations
        .computeIfAbsent(
            decision + ' ' + source,
            k ->
                Counter.builder("dnsupdate.webhook.authorizations")
                    .description("Authorization decisions, by decision and where they came from")
                    .tag("decision", decision)
                    .tag("source", source)
                    .register(registry))
        .increment();
  }

  /**
   * One Kerberos login of an issuer (a ticket-granting ticket from its keytab).
   *
   * @param reason null when the KDC granted it, else the CamelCase failure reason
   */
  public void kerberosLogin(String reason) {
    Counter.builder("dnsupdate.webhook.kerberos.logins")
        .description("Kerberos logins of issuers, by outcome")
        .tag("outcome", reason == null ? "success" : reason)
        .register(registry)
        .increment();
  }

  /** Kerberos logins so far with this outcome (success or a reason). */
  public long kerberosLogins(String outcome) {
    return (long)
        registry
            .find("dnsupdate.webhook.kerberos.logins")
            .tag("outcome", outcome)
            .counters()
            .stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  /** One serving certificate (re)loaded from its files. */
  public void certificateLoaded() {
    Counter.builder("dnsupdate.webhook.tls.reloads")
        .description("Serving certificates loaded from their files")
        .register(registry)
        .increment();
  }

  /** UPDATE messages sent so far, whatever their outcome. */
  public long dnsUpdateMessages() {
    return (long)
        registry.find("dnsupdate.webhook.dns.updates").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  /** TXT changes carried by all UPDATE messages sent so far. */
  public long dnsUpdateChanges() {
    DistributionSummary s = registry.find("dnsupdate.webhook.dns.update.changes").summary();
    return s == null ? 0 : (long) s.totalAmount();
  }

  /** Challenges processed so far with this action (present/cleanup) and outcome. */
  public long challenges(String action, boolean success) {
    return registry
        .find("dnsupdate.webhook.challenge")
        .tag("action", action.toLowerCase(Locale.ROOT))
        .tag("outcome", success ? "success" : "failure")
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  /** Closes the registry. */
  public void close() {
    registry.close();
  }
}
