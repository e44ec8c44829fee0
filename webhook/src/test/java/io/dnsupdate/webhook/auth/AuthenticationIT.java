package io.dnsupdate.webhook.auth;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.TestPki;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Only kube-apiserver's front proxy may assert identities, and only authorized identities may solve
 * challenges. A rejected caller causes no SubjectAccessReview (401), no Secret read and no DNS
 * traffic: the zone stays as it was.
 */
@ExtendWith(NamedExtension.class)
class AuthenticationIT {
  static final String NS = "team-a";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";

  static WebhookFixture fixture;
  static NamedServer named;

  @BeforeAll
  static void start(NamedServer server) {
    named = server;
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void forgetRequests() {
    fixture.api.clearRecorded();
  }

  static Stream<Arguments> unauthenticated() {
    TestPki otherCa = TestPki.newCa("front-proxy-ca");
    return Stream.of(
        Arguments.of(
            "no client certificate",
            (Function<WebhookFixture, FrontProxyClient>)
                f -> f.anonymous().user(WebhookFixture.CERT_MANAGER).build(),
            "no client certificate"),
        Arguments.of(
            "certificate of another CA with the right CN",
            (Function<WebhookFixture, FrontProxyClient>)
                f ->
                    f.anonymous()
                        .clientCertificate(otherCa.issueClient(WebhookFixture.FRONT_PROXY_CN))
                        .user(WebhookFixture.CERT_MANAGER)
                        .build(),
            "does not chain to requestheader-client-ca-file"),
        Arguments.of(
            "front-proxy CA but a CN not allowed",
            (Function<WebhookFixture, FrontProxyClient>)
                f ->
                    f.anonymous()
                        .clientCertificate(f.frontProxyCa.issueClient("mallory"))
                        .user(WebhookFixture.CERT_MANAGER)
                        .build(),
            "not in requestheader-allowed-names"),
        Arguments.of(
            "front proxy without a user",
            (Function<WebhookFixture, FrontProxyClient>) f -> f.caller().build(),
            "names no user"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unauthenticated")
  void rejectedWith401AndNothingHappens(
      String name, Function<WebhookFixture, FrontProxyClient> caller, String reason) {
    String key = token();

    FrontProxyClient.Response r =
        caller.apply(fixture).postChallenge(payload("Present", NS, ISSUER, FQDN, key));

    assertThat(r.status()).isEqualTo(401);
    JsonNode status = json(r.body());
    assertThat(status.get("kind").asText()).isEqualTo("Status");
    assertThat(status.get("reason").asText()).isEqualTo("Unauthorized");
    assertThat(status.get("message").asText()).contains(reason);
    assertThat(named.txt(FQDN)).doesNotContain(key);
    assertThat(fixture.api.subjectAccessReviews()).isEmpty();
    assertThat(fixture.api.count("GET", "/api/v1/namespaces/" + NS + "/secrets")).isZero();
  }

  @Test
  void deniedBySubjectAccessReviewIs403AndNothingHappens() {
    String key = token();
    FrontProxyClient mallory =
        fixture.caller().user("mallory").groups("system:authenticated").build();

    FrontProxyClient.Response r = mallory.postChallenge(payload("Present", NS, ISSUER, FQDN, key));

    assertThat(r.status()).isEqualTo(403);
    JsonNode status = json(r.body());
    assertThat(status.get("reason").asText()).isEqualTo("Forbidden");
    assertThat(status.get("message").asText())
        .contains(
            "User \"mallory\" cannot create resource \"dnsupdate\" in API group \"acme.dnsupdate.io\"");
    assertThat(fixture.api.subjectAccessReviews()).hasSize(1);
    assertThat(named.txt(FQDN)).doesNotContain(key);
    assertThat(fixture.api.count("GET", "/api/v1/namespaces/" + NS + "/secrets")).isZero();
  }

  @Test
  void frontProxyWithAnAuthorizedUserPasses() {
    String key = token();

    FrontProxyClient.Response r =
        fixture.certManager().postChallenge(payload("Present", NS, ISSUER, FQDN, key));

    assertThat(r.status()).isEqualTo(201);
    assertThat(json(r.body()).get("response").get("success").asBoolean()).as(r.body()).isTrue();
    assertThat(named.txt(FQDN)).contains(key);
    assertThat(fixture.api.subjectAccessReviews())
        .extracting(s -> s.getUser())
        .containsExactly(WebhookFixture.CERT_MANAGER);
    fixture.certManager().postChallenge(payload("CleanUp", NS, ISSUER, FQDN, key));
    assertThat(named.txt(FQDN)).doesNotContain(key);
  }

  @Test
  void systemMastersNeedNoReview() {
    String key = token();
    FrontProxyClient admin =
        fixture.caller().user("kubernetes-admin").groups("system:masters").build();

    FrontProxyClient.Response r = admin.postChallenge(payload("Present", NS, ISSUER, FQDN, key));

    assertThat(json(r.body()).get("response").get("success").asBoolean()).as(r.body()).isTrue();
    assertThat(fixture.api.subjectAccessReviews()).isEmpty();
    admin.postChallenge(payload("CleanUp", NS, ISSUER, FQDN, key));
  }

  @Test
  void aRotatedFrontProxyCaAppliesWithoutRestart() {
    FrontProxyClient oldProxy = fixture.certManager();
    TestPki newCa = TestPki.newCa("front-proxy-ca-2");
    FrontProxyClient newProxy =
        fixture
            .anonymous()
            .clientCertificate(newCa.issueClient(WebhookFixture.FRONT_PROXY_CN))
            .user(WebhookFixture.CERT_MANAGER)
            .build();
    assertThat(newProxy.get("/apis").status()).isEqualTo(401);
    try {
      fixture.api.installRequestHeaderConfig(newCa, List.of(WebhookFixture.FRONT_PROXY_CN));

      Awaitility.await("the new CA is in force")
          .atMost(Duration.ofSeconds(10))
          .until(() -> newProxy.get("/apis").status() == 200);
      assertThat(oldProxy.get("/apis").status()).isEqualTo(401);
    } finally {
      fixture.api.installRequestHeaderConfig(
          fixture.frontProxyCa, List.of(WebhookFixture.FRONT_PROXY_CN));
      Awaitility.await("the old CA is back")
          .atMost(Duration.ofSeconds(10))
          .until(() -> oldProxy.get("/apis").status() == 200);
    }
  }
}
