package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys come from the TsigKey's Secret, are cached while its status.fingerprint holds, and during a
 * rotation the previous key still works while the nameserver has not learned the new one.
 */
@ExtendWith(NamedExtension.class)
class KeyRotationIT {
  static final String NS = "rotation";
  static final String FQDN = "_acme-challenge.sub.example.test.";

  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static NamedServer named;

  /** The ACME key's name and algorithm with a secret the nameserver does not know. */
  static final TsigCredentials UNKNOWN_TO_BIND =
      TsigCredentials.generate(TestKeys.ACME.name(), TsigAlgorithm.HMAC_SHA256, new SecureRandom());

  static final TsigCredentials ACME = WebhookFixture.credentials(TestKeys.ACME);

  @BeforeAll
  static void start(NamedServer server) {
    named = server;
    fixture = WebhookFixture.start();
    certManager = fixture.certManager();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @BeforeEach
  void forgetRequests() {
    fixture.api.clearRecorded();
  }

  static JsonNode present(String issuer, String key) {
    FrontProxyClient.Response r =
        certManager.postChallenge(payload("Present", NS, issuer, FQDN, key));
    assertThat(r.status()).isEqualTo(201);
    return json(r.body()).get("response");
  }

  static long secretReads(String secret) {
    return fixture.api.count("GET", "/api/v1/namespaces/" + NS + "/secrets/" + secret);
  }

  @Test
  void previousKeyIsUsedWhileTheNameserverHasNotLearnedTheNewOne() {
    fixture.createKey(
        NS,
        "rotated",
        KeyMaterial.of(UNKNOWN_TO_BIND).withPrevious(ACME, Instant.now().plusSeconds(3600)));
    fixture.createIssuer(NS, "rotated", WebhookFixture.spec(named, "rotated"));
    String key = token();

    JsonNode response = present("rotated", key);

    assertThat(response.get("success").asBoolean()).as(response.toString()).isTrue();
    assertThat(named.txt(FQDN)).contains(key);
    certManager.postChallenge(payload("CleanUp", NS, "rotated", FQDN, key));
    assertThat(named.txt(FQDN)).doesNotContain(key);
  }

  @Test
  void previousKeyPastItsOverlapIsNotUsed() {
    fixture.createKey(
        NS,
        "expired",
        KeyMaterial.of(UNKNOWN_TO_BIND).withPrevious(ACME, Instant.now().minusSeconds(60)));
    fixture.createIssuer(NS, "expired", WebhookFixture.spec(named, "expired"));
    String key = token();

    JsonNode response = present("expired", key);

    assertThat(response.get("success").asBoolean()).isFalse();
    assertThat(response.get("status").get("reason").asText()).isEqualTo("KeyRejected");
    assertThat(response.get("status").get("message").asText())
        .contains("acme-key.")
        .contains(UNKNOWN_TO_BIND.fingerprint())
        .doesNotContain(UNKNOWN_TO_BIND.secretBase64())
        .doesNotContain(ACME.secretBase64());
    assertThat(named.txt(FQDN)).doesNotContain(key);
  }

  @Test
  void secretIsReadAgainWhenTheFingerprintChanges() {
    fixture.createKey(NS, "changing", KeyMaterial.of(UNKNOWN_TO_BIND));
    fixture.createIssuer(NS, "changing", WebhookFixture.spec(named, "changing"));
    fixture.api.clearRecorded();
    String key = token();
    assertThat(present("changing", key).get("success").asBoolean()).isFalse();
    assertThat(secretReads("changing-tsig")).isEqualTo(1);

    // the operator rotates: new Secret content, then the TsigKey's status.fingerprint
    fixture.createKey(NS, "changing", KeyMaterial.of(ACME));
    fixture.api.clearRecorded();

    assertThat(present("changing", key).get("success").asBoolean()).isTrue();
    assertThat(secretReads("changing-tsig")).isEqualTo(1);
    assertThat(named.txt(FQDN)).contains(key);

    String other = token();
    assertThat(present("changing", other).get("success").asBoolean()).isTrue();
    assertThat(secretReads("changing-tsig")).as("cached while the fingerprint holds").isEqualTo(1);
    certManager.postChallenge(payload("CleanUp", NS, "changing", FQDN, key));
    certManager.postChallenge(payload("CleanUp", NS, "changing", FQDN, other));
  }
}
