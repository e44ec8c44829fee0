package io.dnsupdate.webhook.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SubjectAccessReviews against the mock API server. */
class SubjectAccessReviewAuthorizerTest {
  static MockKubernetesApi api;
  final MutableClock clock = MutableClock.at("2025-01-01T00:00:00Z");
  SubjectAccessReviewAuthorizer authorizer;

  @BeforeAll
  static void start() {
    api = MockKubernetesApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @BeforeEach
  void fresh() {
    api.denyAll();
    api.clearRecorded();
    authorizer =
        SubjectAccessReviewAuthorizer.using(
            api.client(), Duration.ofSeconds(5), clock, WebhookMetrics.inMemory());
  }

  private static UserInfo user(String name, String... groups) {
    return new UserInfo(name, "uid-1", List.of(groups), Map.of("scopes", List.of("x")));
  }

  @Test
  void asksForCreateOnTheSolverResource() throws Exception {
    api.allowUser("cm");

    assertThat(authorizer.authorize(user("cm", "system:authenticated")).allowed()).isTrue();

    SubjectAccessReviewSpec spec = api.subjectAccessReviews().get(0);
    assertThat(spec.getUser()).isEqualTo("cm");
    assertThat(spec.getUid()).isEqualTo("uid-1");
    assertThat(spec.getGroups()).containsExactly("system:authenticated");
    assertThat(spec.getExtra()).containsEntry("scopes", List.of("x"));
    assertThat(spec.getResourceAttributes().getGroup()).isEqualTo("acme.dnsupdate.io");
    assertThat(spec.getResourceAttributes().getVersion()).isEqualTo("v1alpha1");
    assertThat(spec.getResourceAttributes().getResource()).isEqualTo("dnsupdate");
    assertThat(spec.getResourceAttributes().getVerb()).isEqualTo("create");
    assertThat(spec.getResourceAttributes().getNamespace()).isNullOrEmpty();
  }

  @Test
  void denied() throws Exception {
    assertThat(authorizer.authorize(user("mallory")).allowed()).isFalse();
  }

  @Test
  void decisionsAreReusedForAFewSeconds() throws Exception {
    api.allowUser("cm");
    authorizer.authorize(user("cm", "b", "a"));
    authorizer.authorize(user("cm", "a", "b"));
    assertThat(api.subjectAccessReviews()).hasSize(1);

    api.denyUser("cm");
    clock.set(clock.instant().plusSeconds(6));

    assertThat(authorizer.authorize(user("cm", "a", "b")).allowed()).isFalse();
    assertThat(api.subjectAccessReviews()).hasSize(2);
  }

  @Test
  void aDecisionExpiresExactlyAfterTheTtl() throws Exception {
    api.allowUser("cm");
    authorizer.authorize(user("cm"));
    clock.set(clock.instant().plusSeconds(5).minusNanos(1));
    authorizer.authorize(user("cm"));
    assertThat(api.subjectAccessReviews()).hasSize(1);

    clock.set(clock.instant().plusNanos(1));
    authorizer.authorize(user("cm"));

    assertThat(api.subjectAccessReviews()).hasSize(2);
  }

  /** Answers every review with "allowed", counting them, without an API server. */
  private SubjectAccessReviewAuthorizer counting(AtomicInteger reviews, Duration ttl) {
    return new SubjectAccessReviewAuthorizer(
        sar -> {
          reviews.incrementAndGet();
          SubjectAccessReviewStatus status = new SubjectAccessReviewStatus();
          status.setAllowed(true);
          SubjectAccessReview answer = new SubjectAccessReview();
          answer.setStatus(status);
          return answer;
        },
        ttl,
        clock,
        WebhookMetrics.inMemory());
  }

  @Test
  void aZeroTtlReviewsEveryRequest() throws Exception {
    AtomicInteger reviews = new AtomicInteger();
    SubjectAccessReviewAuthorizer uncached = counting(reviews, Duration.ZERO);

    uncached.authorize(user("cm"));
    uncached.authorize(user("cm"));

    assertThat(reviews).hasValue(2);
    assertThat(uncached.cachedDecisions()).isZero();
  }

  @Test
  void keepsAtMostMaxEntriesIdentities() throws Exception {
    AtomicInteger reviews = new AtomicInteger();
    SubjectAccessReviewAuthorizer many = counting(reviews, Duration.ofSeconds(5));

    for (int i = 0; i < SubjectAccessReviewAuthorizer.MAX_ENTRIES + 100; i++) {
      many.authorize(user("user-" + i));
    }

    assertThat(reviews).hasValue(SubjectAccessReviewAuthorizer.MAX_ENTRIES + 100);
    assertThat(many.cachedDecisions())
        .isLessThanOrEqualTo(SubjectAccessReviewAuthorizer.MAX_ENTRIES);
  }

  @Test
  void otherGroupsAreAnotherIdentity() throws Exception {
    api.allowGroup("solvers");
    assertThat(authorizer.authorize(user("cm", "solvers")).allowed()).isTrue();
    assertThat(authorizer.authorize(user("cm", "others")).allowed()).isFalse();
    assertThat(api.subjectAccessReviews()).hasSize(2);
  }

  @Test
  void systemMastersPassWithoutAReview() throws Exception {
    assertThat(authorizer.authorize(user("system:kube-aggregator", "system:masters")).allowed())
        .isTrue();
    assertThat(api.subjectAccessReviews()).isEmpty();
  }

  @Test
  void aFailedReviewIsNoDecision() {
    SubjectAccessReviewAuthorizer broken =
        new SubjectAccessReviewAuthorizer(
            sar -> {
              throw new KubernetesClientException("connection refused");
            },
            Duration.ofSeconds(5),
            clock,
            WebhookMetrics.inMemory());

    assertThatThrownBy(() -> broken.authorize(user("cm")))
        .isInstanceOf(Authorizer.AuthorizationException.class)
        .hasMessageContaining("connection refused");
  }
}
