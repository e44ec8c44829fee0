package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ?dryRun=All}, as kube-apiserver passes a dry-run create on: authentication, authorization,
 * the request, issuer, policy and key checks all run and answer as for a real call, and nothing in
 * the zone changes.
 */
@ExtendWith(NamedExtension.class)
class DryRunIT {
  static final String NS = "dryrun";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";
  static final String DRY = FrontProxyClient.CHALLENGE_PATH + "?dryRun=All";

  static WebhookFixture fixture;
  static FrontProxyClient certManager;

  @BeforeAll
  static void start(NamedServer named) {
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
    certManager = fixture.certManager();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static JsonNode response(FrontProxyClient.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return json(r.body()).get("response");
  }

  @Test
  void aDryRunPresentPassesEveryCheckAndWritesNothing(NamedServer named) {
    String zoneBefore = String.join("\n", named.recordStrings(StandardZones.EXAMPLE));
    long messages = fixture.webhook.metrics().dnsUpdateMessages();
    String value = token();

    JsonNode answer = response(certManager.post(DRY, payload("Present", NS, ISSUER, FQDN, value)));

    assertThat(answer.get("success").asBoolean()).isTrue();
    assertThat(fixture.webhook.metrics().dnsUpdateMessages()).isEqualTo(messages);
    assertThat(named.txt(FQDN)).doesNotContain(value);
    assertThat(String.join("\n", named.recordStrings(StandardZones.EXAMPLE))).isEqualTo(zoneBefore);
  }

  @Test
  void aDryRunCleanUpDeletesNothing(NamedServer named) {
    String value = token();
    assertThat(
            response(certManager.postChallenge(payload("Present", NS, ISSUER, FQDN, value)))
                .get("success")
                .asBoolean())
        .isTrue();

    JsonNode answer = response(certManager.post(DRY, payload("CleanUp", NS, ISSUER, FQDN, value)));

    assertThat(answer.get("success").asBoolean()).isTrue();
    assertThat(named.txt(FQDN)).contains(value);
    response(certManager.postChallenge(payload("CleanUp", NS, ISSUER, FQDN, value)));
    assertThat(named.txt(FQDN)).doesNotContain(value);
  }

  @Test
  void aDryRunFailsWhereTheRealCallWould() {
    JsonNode noIssuer =
        response(certManager.post(DRY, payload("Present", NS, "missing", FQDN, token())));
    JsonNode outside =
        response(
            certManager.post(
                DRY, payload("Present", NS, ISSUER, "_acme-challenge.other.test.", token())));

    assertThat(noIssuer.get("success").asBoolean()).isFalse();
    assertThat(noIssuer.at("/status/reason").asText()).isEqualTo("IssuerNotFound");
    assertThat(outside.at("/status/reason").asText()).isEqualTo("DomainNotAllowed");
  }

  @Test
  void aDryRunKeyProblemIsReported(NamedServer named) {
    fixture.createKey(NS, "nosecret", TestKeys.ACME);
    fixture.api.client().secrets().inNamespace(NS).withName("nosecret-tsig").delete();
    fixture.createIssuer(NS, "no-secret", WebhookFixture.spec(named, "nosecret"));

    JsonNode answer =
        response(certManager.post(DRY, payload("Present", NS, "no-secret", FQDN, token())));

    assertThat(answer.at("/status/reason").asText()).isEqualTo("KeyUnavailable");
  }

  @Test
  void aDryRunNeedsTheSameAuthorization() {
    FrontProxyClient stranger = fixture.caller().user("system:anonymous-ish").build();
    fixture.api.denyUser("system:anonymous-ish");

    FrontProxyClient.Response r = stranger.post(DRY, payload("Present", NS, ISSUER, FQDN, token()));

    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  void anUnknownDryRunValueIsABadRequest() {
    FrontProxyClient.Response r =
        certManager.post(
            FrontProxyClient.CHALLENGE_PATH + "?dryRun=Some",
            payload("Present", NS, ISSUER, FQDN, token()));

    assertThat(r.status()).isEqualTo(400);
    JsonNode status = json(r.body());
    assertThat(status.get("kind").asText()).isEqualTo("Status");
    assertThat(status.get("message").asText()).contains("dryRun").contains("All");
  }
}
