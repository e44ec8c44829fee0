package io.dnsupdate.webhook.auth;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Asks kube-apiserver (SubjectAccessReview) whether the user may {@code create} resource {@code
 * dnsupdate} in group {@code acme.dnsupdate.io} — the permission cert-manager's service account is
 * granted — and reuses the decision for a few seconds per identity. Members of {@code
 * system:masters} pass without a review, as kube-apiserver itself never denies them (its
 * availability probe runs as {@code system:kube-aggregator} in that group).
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {
  private static final int MAX_ENTRIES = 1024;

  private final Function<SubjectAccessReview, SubjectAccessReview> reviews;
  private final Duration ttl;
  private final Clock clock;
  private final WebhookMetrics metrics;
  private final Map<UserInfo, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Decision decision, Instant expires) {}

  /**
   * @param reviews creates a SubjectAccessReview and returns the answered one
   */
  public SubjectAccessReviewAuthorizer(
      Function<SubjectAccessReview, SubjectAccessReview> reviews,
      Duration ttl,
      Clock clock,
      WebhookMetrics metrics) {
    this.reviews = reviews;
    this.ttl = ttl;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.metrics = metrics;
  }

  /** Reviews through the client ({@code create subjectaccessreviews.authorization.k8s.io}). */
  public static SubjectAccessReviewAuthorizer using(
      KubernetesClient client, Duration ttl, Clock clock, WebhookMetrics metrics) {
    return new SubjectAccessReviewAuthorizer(
        sar -> client.authorization().v1().subjectAccessReview().create(sar), ttl, clock, metrics);
  }

  @Override
  public Decision authorize(UserInfo user) throws AuthorizationException {
    if (user.isSystemMaster()) {
      metrics.authorization("allowed", "masters");
      return new Decision(true, "member of " + UserInfo.SYSTEM_MASTERS);
    }
    UserInfo key = normalized(user);
    Instant now = clock.instant();
    Cached hit = cache.get(key);
    if (hit != null && now.isBefore(hit.expires())) {
      metrics.authorization(hit.decision().allowed() ? "allowed" : "denied", "cache");
      return hit.decision();
    }
    Decision d = review(user);
    if (!ttl.isZero()) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().expires()));
        if (cache.size() >= MAX_ENTRIES) {
          cache.clear();
        }
      }
      cache.put(key, new Cached(d, now.plus(ttl)));
    }
    metrics.authorization(d.allowed() ? "allowed" : "denied", "review");
    return d;
  }

  private Decision review(UserInfo user) throws AuthorizationException {
    SubjectAccessReview sar =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user.name())
            .withUid(user.uid())
            .withGroups(user.groups())
            .withExtra(user.extra().isEmpty() ? null : user.extra())
            .withNewResourceAttributes()
            .withGroup(ApiConstants.SOLVER_GROUP)
            .withVersion(ApiConstants.SOLVER_VERSION)
            .withResource(ApiConstants.SOLVER_RESOURCE)
            .withVerb("create")
            .endResourceAttributes()
            .endSpec()
            .build();
    SubjectAccessReview answer;
    try {
      answer = reviews.apply(sar);
    } catch (KubernetesClientException e) {
      metrics.authorization("error", "review");
      throw new AuthorizationException(
          "the SubjectAccessReview for user \""
              + user.name()
              + "\" failed: "
              + (e.getCode() > 0 ? "HTTP " + e.getCode() + " " : "")
              + e.getMessage(),
          e);
    }
    SubjectAccessReviewStatus status = answer == null ? null : answer.getStatus();
    if (status == null) {
      throw new AuthorizationException("the SubjectAccessReview came back without a status", null);
    }
    boolean allowed =
        Boolean.TRUE.equals(status.getAllowed()) && !Boolean.TRUE.equals(status.getDenied());
    String reason = status.getReason() == null ? "" : status.getReason();
    if (status.getEvaluationError() != null && !status.getEvaluationError().isBlank()) {
      reason = reason.isEmpty() ? status.getEvaluationError() : reason;
    }
    return new Decision(allowed, reason);
  }

  /** Same identity whatever the order of groups. */
  private static UserInfo normalized(UserInfo u) {
    return new UserInfo(u.name(), u.uid(), List.copyOf(new TreeSet<>(u.groups())), u.extra());
  }
}
