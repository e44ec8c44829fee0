package io.dnsupdate.webhook.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Asks kube-apiserver (SubjectAccessReview) whether the user may {@code create} resource {@code
 * dnsupdate} in group {@code acme.dnsupdate.io} — the permission cert-manager's service account is
 * granted — and reuses the decision for a few seconds per identity (concurrent requests of one
 * identity share one review). Members of {@code system:masters} pass without a review, as
 * kube-apiserver itself never denies them (its availability probe runs as {@code
 * system:kube-aggregator} in that group).
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {
  /** Identities whose decision is kept. */
  static final int MAX_ENTRIES = 1024;

  private final Function<SubjectAccessReview, SubjectAccessReview> reviews;
  private final WebhookMetrics metrics;

  /** Decisions for {@code ttl} after the review; null when the ttl is zero (no reuse). */
  private final AsyncCache<UserInfo, Decision> cache;

  /**
   * @param reviews creates a SubjectAccessReview and returns the answered one
   */
  public SubjectAccessReviewAuthorizer(
      Function<SubjectAccessReview, SubjectAccessReview> reviews,
      Duration ttl,
      Clock clock,
      WebhookMetrics metrics) {
    this.reviews = reviews;
    this.metrics = metrics;
    this.cache =
        ttl.isZero() || ttl.isNegative()
            ? null
            : Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(ttl)
                .ticker(Caches.ticker(clock == null ? Clock.systemUTC() : clock))
                .buildAsync();
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
    boolean[] reviewed = {cache == null};
    Decision d =
        cache == null
            ? review(user)
            : Caches.get(
                cache,
                normalized(user),
                () -> {
                  reviewed[0] = true;
                  return review(user);
                });
    metrics.authorization(d.allowed() ? "allowed" : "denied", reviewed[0] ? "review" : "cache");
    return d;
  }

  /** Decisions kept right now (tests). */
  long cachedDecisions() {
    if (cache == null) {
      return 0;
    }
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
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
