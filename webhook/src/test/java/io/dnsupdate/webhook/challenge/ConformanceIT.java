package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.Secondary;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * cert-manager's DNS01 provider conformance cases, ported: through HTTPS as kube-apiserver would
 * send them, against a real BIND primary and its secondary, with propagation verified (Present
 * answers only once both serve the value).
 */
class ConformanceIT {
  @RegisterExtension static final NamedExtension NAMED = NamedExtension.withSecondary();

  static final String NS = "team-a";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";

  static WebhookFixture fixture;
  static FrontProxyClient certManager;

  @BeforeAll
  static void start(NamedServer named) {
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(true);
    p.setPort(named.port()); // ns1 and ns2 of example.test listen on the fixture's port
    p.setTimeout("20s");
    p.setPollInterval("100ms");
    spec.setPropagation(p);
    fixture.createIssuer(NS, ISSUER, spec);
    certManager = fixture.certManager();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  static JsonNode post(String body) {
    FrontProxyClient.Response r = certManager.postChallenge(body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return json(r.body());
  }

  static void assertSuccess(JsonNode answer) {
    assertThat(answer.get("response").get("success").asBoolean()).as(answer.toString()).isTrue();
  }

  @Nested
  class Basic {
    @Test
    void presentMakesTheRecordVisibleOnEveryAuthoritativeServerAndCleanUpRemovesIt(
        NamedServer primary, @Secondary NamedServer secondary) {
      String key = token();

      JsonNode present = post(payload("Present", NS, ISSUER, FQDN, key));

      assertSuccess(present);
      // no waiting here: the answer came only after both served it
      assertThat(primary.txt(FQDN)).contains(key);
      assertThat(secondary.txt(FQDN)).contains(key);

      JsonNode cleanUp = post(payload("CleanUp", NS, ISSUER, FQDN, key));

      assertSuccess(cleanUp);
      assertThat(primary.txt(FQDN)).doesNotContain(key);
    }

    @Test
    void answerEchoesThePayloadWithAResponse() {
      String key = token();

      JsonNode answer = post(payload("Present", NS, ISSUER, FQDN, key));

      // the type's group in cert-manager's scheme: its decoder accepts no other
      assertThat(answer.get("apiVersion").asText())
          .isEqualTo("webhook.acme.cert-manager.io/v1alpha1");
      assertThat(answer.get("kind").asText()).isEqualTo("ChallengePayload");
      assertThat(answer.get("request").get("key").asText()).isEqualTo(key);
      assertThat(answer.get("request").get("config").get("issuer").asText()).isEqualTo(ISSUER);
      JsonNode response = answer.get("response");
      assertThat(response.get("uid").asText()).isEmpty();
      assertThat(response.get("success").asBoolean()).isTrue();
      assertThat(response.has("status")).isFalse();
      post(payload("CleanUp", NS, ISSUER, FQDN, key));
    }
  }

  @Nested
  class Extended {
    @Test
    void cleanUpDeletesOnlyItsOwnValue(NamedServer primary, @Secondary NamedServer secondary) {
      // apex and wildcard validated together: two values at one name
      String apex = token();
      String wildcard = token();
      assertSuccess(post(payload("Present", NS, ISSUER, FQDN, apex)));
      assertSuccess(post(payload("Present", NS, ISSUER, FQDN, wildcard)));
      assertThat(primary.txt(FQDN)).contains(apex, wildcard);

      assertSuccess(post(payload("CleanUp", NS, ISSUER, FQDN, apex)));

      assertThat(primary.txt(FQDN)).contains(wildcard).doesNotContain(apex);
      assertSuccess(post(payload("CleanUp", NS, ISSUER, FQDN, wildcard)));
      assertThat(primary.txt(FQDN)).doesNotContain(apex, wildcard);
    }

    @Test
    void presentAndCleanUpAreIdempotent(NamedServer primary) {
      String key = token();

      assertSuccess(post(payload("Present", NS, ISSUER, FQDN, key)));
      assertSuccess(post(payload("Present", NS, ISSUER, FQDN, key)));

      assertThat(primary.txt(FQDN).stream().filter(key::equals)).hasSize(1);
      assertSuccess(post(payload("CleanUp", NS, ISSUER, FQDN, key)));
      assertSuccess(post(payload("CleanUp", NS, ISSUER, FQDN, key)));
      assertThat(primary.txt(FQDN)).doesNotContain(key);
    }

    @Test
    void wildcardDnsNameWithoutResolvedFqdn(NamedServer primary) {
      String key = token();
      String body =
          payload(
              p -> {
                ObjectNode r = (ObjectNode) p.get("request");
                r.put("resourceNamespace", NS);
                r.put("dnsName", "*.a.example.test");
                r.remove("resolvedFQDN");
                r.put("key", key);
                r.putObject("config").put("issuer", ISSUER);
              });

      assertSuccess(post(body));

      assertThat(primary.txt("_acme-challenge.a.example.test.")).contains(key);
      post(body.replace("\"Present\"", "\"CleanUp\""));
      assertThat(primary.txt("_acme-challenge.a.example.test.")).doesNotContain(key);
    }

    @Test
    void dnsAccount01Name(NamedServer primary) {
      String name = "_bench._acme-challenge.example.test.";
      String key = token();

      assertSuccess(post(payload("Present", NS, ISSUER, name, key)));

      assertThat(primary.txt(name)).contains(key);
      assertSuccess(post(payload("CleanUp", NS, ISSUER, name, key)));
    }

    @Test
    void certManagersApiVersionAndKind() {
      String key = token();
      String body =
          payload(
              p -> {
                // what cert-manager's client sends (its scheme's group for the type)
                p.put("apiVersion", "webhook.acme.cert-manager.io/v1alpha1");
                p.put("kind", "ChallengePayload");
                ObjectNode r = (ObjectNode) p.get("request");
                r.put("uid", "6a1c");
                r.put("resourceNamespace", NS);
                r.put("key", key);
                r.putObject("config").put("issuer", ISSUER);
              });

      JsonNode answer = post(body);

      assertSuccess(answer);
      assertThat(answer.get("response").get("uid").asText()).isEqualTo("6a1c");
      post(body.replace("\"Present\"", "\"CleanUp\""));
    }
  }
}
