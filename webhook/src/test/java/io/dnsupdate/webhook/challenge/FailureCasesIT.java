package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Everything that must fail, and how: a payload we cannot read is an HTTP 400; a challenge we will
 * not or cannot solve is a 201 with {@code success: false} and a message saying what to fix. In
 * every case the zone is left as it was.
 */
@ExtendWith(NamedExtension.class)
class FailureCasesIT {
  static final String NS = "team-a";
  static final String OTHER_NS = "team-b";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";

  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static NamedServer named;

  @BeforeAll
  static void start(NamedServer server) {
    named = server;
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
    fixture.createKey(OTHER_NS, "acme", TestKeys.ACME);
    fixture.createIssuer(OTHER_NS, "team-b-issuer", WebhookFixture.spec(named, "acme"));
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

  /** Posts, expects 201 with success false, and returns the message. */
  static String failure(String body, String reason) {
    FrontProxyClient.Response r = certManager.postChallenge(body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode response = json(r.body()).get("response");
    assertThat(response.get("success").asBoolean()).as(r.body()).isFalse();
    JsonNode status = response.get("status");
    assertThat(status.get("status").asText()).isEqualTo("Failed");
    assertThat(status.get("reason").asText()).isEqualTo(reason);
    String message = status.get("message").asText();
    assertThat(message).isNotBlank();
    return message;
  }

  static long secretReads() {
    return fixture.api.count("GET", "/api/v1/namespaces/" + NS + "/secrets/");
  }

  static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String edited(Consumer<ObjectNode> edit) {
    return payload(
        p -> {
          ObjectNode r = (ObjectNode) p.get("request");
          r.put("resourceNamespace", NS);
          r.putObject("config").put("issuer", ISSUER);
          edit.accept(r);
        });
  }

  @Nested
  class PolicyBeforeTraffic {
    @Test
    void issuerOfAnotherNamespaceIsNeverUsed() {
      String key = token();

      String message =
          failure(payload("Present", NS, "team-b-issuer", FQDN, key), "IssuerNotFound");

      assertThat(message)
          .contains("DnsUpdateIssuer team-b-issuer does not exist in namespace team-a")
          .contains("issuers of other namespaces are never used");
      assertThat(named.txt(FQDN)).doesNotContain(key);
      assertThat(fixture.api.count("GET", "/api/v1/namespaces/")).isZero();
    }

    @Test
    void namespaceInConfigIsRefused() {
      String body =
          edited(
              r ->
                  ((ObjectNode) r.get("config"))
                      .put("namespace", OTHER_NS)
                      .put("issuer", "team-b-issuer"));

      assertThat(failure(body, "IssuerNotFound")).contains("config.namespace is not supported");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "_acme-challenge.notexample.test.",
          "_acme-challenge.other.test.",
          "www.example.test.",
          "_acme-challenge._x.example.test."
        })
    void nameOutsideTheDomains(String fqdn) {
      String key = token();

      String message = failure(payload("Present", NS, ISSUER, fqdn, key), "DomainNotAllowed");

      assertThat(message).contains(fqdn).contains("[example.test.]").contains("spec.domains");
      if (fqdn.endsWith(".example.test.")) {
        assertThat(named.txt(fqdn)).doesNotContain(key);
      }
      assertThat(secretReads()).isZero();
    }

    @Test
    void issuerNotReady() {
      fixture.createIssuer(
          NS,
          "broken",
          WebhookFixture.spec(named, "acme"),
          WebhookFixture.ready(
              "False", "KeyRejected", "nameserver answered BADKEY for key acme-key."));
      String key = token();

      String message = failure(payload("Present", NS, "broken", FQDN, key), "IssuerNotReady");

      assertThat(message)
          .isEqualTo(
              "DnsUpdateIssuer team-a/broken is not Ready (KeyRejected): nameserver answered"
                  + " BADKEY for key acme-key.");
      assertThat(named.txt(FQDN)).doesNotContain(key);
      assertThat(secretReads()).isZero();
    }

    @Test
    void issuerMissing() {
      assertThat(failure(payload("Present", NS, "nope", FQDN, token()), "IssuerNotFound"))
          .contains("DnsUpdateIssuer nope does not exist in namespace team-a");
    }

    @Test
    void noConfig() {
      String body = edited(r -> r.remove("config"));

      assertThat(failure(body, "IssuerNotFound"))
          .contains("the solver config is empty")
          .contains("config: {issuer: NAME}");
    }

    @Test
    void invalidIssuerSpec() {
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      spec.setTimeout("forever");
      fixture.createIssuer(NS, "invalid", spec);

      assertThat(failure(payload("Present", NS, "invalid", FQDN, token()), "InvalidIssuer"))
          .contains("DnsUpdateIssuer team-a/invalid has an invalid spec")
          .contains("timeout");
    }
  }

  @Nested
  class BadInput {
    @Test
    void keyThatCouldLeaveItsTxtString() {
      String key = "abc\" ; evil";
      String message = failure(payload("Present", NS, ISSUER, FQDN, key), "InvalidChallenge");

      assertThat(message)
          .contains("without quotes, backslashes or spaces")
          .contains("got 11 character(s) including other characters");
      assertThat(named.txt(FQDN)).noneMatch(t -> t.contains("evil"));
    }

    @Test
    void keyLongerThanOneTxtString() {
      String message =
          failure(payload("Present", NS, ISSUER, FQDN, "k".repeat(256)), "InvalidChallenge");

      assertThat(message).contains("1 to 255 visible ASCII characters").contains("got 256");
    }

    @Test
    void labelTooLong() {
      String fqdn = "_acme-challenge." + "a".repeat(64) + ".example.test.";

      assertThat(failure(payload("Present", NS, ISSUER, fqdn, token()), "InvalidChallenge"))
          .contains("a label of 64 characters; at most 63");
    }

    @Test
    void nameTooLong() {
      String fqdn = "_acme-challenge." + "abcdefghi.".repeat(25) + "example.test.";

      assertThat(failure(payload("Present", NS, ISSUER, fqdn, token()), "InvalidChallenge"))
          .contains("a DNS name has at most 253");
    }

    @Test
    void illegalCharacters() {
      assertThat(
              failure(
                  payload("Present", NS, ISSUER, "_acme-challenge.ex ample.test.", token()),
                  "InvalidChallenge"))
          .contains("characters other than letters, digits");
    }

    @Test
    void otherChallengeType() {
      assertThat(failure(edited(r -> r.put("type", "http-01")), "InvalidChallenge"))
          .contains("dns-01 only");
    }

    @Test
    void malformedJsonIs400() {
      FrontProxyClient.Response r = certManager.postChallenge("{\"request\": {\"action\": ");

      assertThat(r.status()).isEqualTo(400);
      JsonNode status = json(r.body());
      assertThat(status.get("kind").asText()).isEqualTo("Status");
      assertThat(status.get("reason").asText()).isEqualTo("BadRequest");
      assertThat(status.get("message").asText()).contains("not valid JSON");
    }

    @Test
    void unknownActionIs400() {
      FrontProxyClient.Response r =
          certManager.postChallenge(edited(r2 -> r2.put("action", "Delete")));

      assertThat(r.status()).isEqualTo(400);
      assertThat(json(r.body()).get("message").asText())
          .contains("unknown action type \"Delete\"")
          .contains("Present or CleanUp");
    }

    @Test
    void missingRequestIs400() {
      FrontProxyClient.Response r = certManager.postChallenge("{\"kind\":\"ChallengePayload\"}");

      assertThat(r.status()).isEqualTo(400);
      assertThat(json(r.body()).get("message").asText()).contains("request field cannot be empty");
    }

    @Test
    void wrongFieldTypeIs400() {
      FrontProxyClient.Response r = certManager.postChallenge(edited(r2 -> r2.put("key", 42)));

      assertThat(r.status()).isEqualTo(400);
      assertThat(json(r.body()).get("message").asText()).contains("request.key: expected a string");
    }

    @Test
    void hugeBodyIs413() {
      String huge = edited(r -> r.put("dnsName", "x".repeat(70_000)));

      FrontProxyClient.Response r = certManager.postChallenge(huge);

      assertThat(r.status()).isEqualTo(413);
      assertThat(json(r.body()).get("reason").asText()).isEqualTo("RequestEntityTooLarge");
    }

    @Test
    void nonJsonContentTypeIs415() {
      FrontProxyClient.Response r =
          certManager.send(
              certManager
                  .request(FrontProxyClient.CHALLENGE_PATH)
                  .header("Content-Type", "application/yaml")
                  .POST(
                      HttpRequest.BodyPublishers.ofString("request: {}", StandardCharsets.UTF_8)));

      assertThat(r.status()).isEqualTo(415);
    }
  }

  @Nested
  class KeysAndNameservers {
    @Test
    void secretMissing() {
      TsigKey ghost =
          fixture.createKey(
              NS,
              "ghost",
              WebhookFixture.credentials(TestKeys.ACME) == null
                  ? null
                  : io.dnsupdate.config.KeyMaterial.of(WebhookFixture.credentials(TestKeys.ACME)));
      fixture.api.client().secrets().inNamespace(NS).withName("ghost-tsig").delete();
      fixture.createIssuer(NS, "ghost", WebhookFixture.spec(named, "ghost"));
      String key = token();

      String message = failure(payload("Present", NS, "ghost", FQDN, key), "KeyUnavailable");

      assertThat(message)
          .contains("Secret team-a/ghost-tsig of TsigKey team-a/ghost does not exist");
      assertThat(named.txt(FQDN)).doesNotContain(key);
      assertThat(ghost).isNotNull();
    }

    @Test
    void tsigKeyMissing() {
      fixture.createIssuer(NS, "no-key", WebhookFixture.spec(named, "missing-key"));

      assertThat(failure(payload("Present", NS, "no-key", FQDN, token()), "KeyUnavailable"))
          .contains("TsigKey team-a/missing-key")
          .contains("does not exist");
    }

    @Test
    void nameserverDown() {
      int port = closedPort();
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      spec.setNameservers(List.of("127.0.0.1:" + port));
      fixture.createIssuer(NS, "down", spec);
      String key = token();

      String message = failure(payload("Present", NS, "down", FQDN, key), "NameserverUnreachable");

      assertThat(message).contains("127.0.0.1:" + port).contains("connection refused");
      assertThat(named.txt(FQDN)).doesNotContain(key);
    }

    @Test
    void fallbackNameserverTakesOverWhenThePrimaryIsDown() {
      int port = closedPort();
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      spec.setNameservers(List.of("127.0.0.1:" + port, named.address() + ":" + named.port()));
      fixture.createIssuer(NS, "fallback", spec);
      String key = token();

      FrontProxyClient.Response r =
          certManager.postChallenge(payload("Present", NS, "fallback", FQDN, key));

      assertThat(json(r.body()).get("response").get("success").asBoolean()).as(r.body()).isTrue();
      assertThat(named.txt(FQDN)).contains(key);
      certManager.postChallenge(payload("CleanUp", NS, "fallback", FQDN, key));
    }

    @Test
    void nameNotGrantedByTheNameserverIsRefused() {
      String fqdn = "_acme-challenge.c.example.test.";
      String key = token();

      String message = failure(payload("Present", NS, ISSUER, fqdn, key), "UpdateRefused");

      assertThat(message).contains("REFUSED").contains("update-policy");
      // c.example.test is under the listed example.test, but BIND grants exact names only
      assertThat(message)
          .contains("add 'c.example.test' to spec.domains of DnsUpdateIssuer team-a/example-test");
      assertThat(named.txt(fqdn)).doesNotContain(key);
    }

    @Test
    void laggingNameserverIsNamed() {
      int port = closedPort();
      DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "acme");
      DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
      p.setVerify(true);
      p.setNameservers(List.of(named.address() + ":" + named.port(), "127.0.0.1:" + port));
      p.setTimeout("1s");
      p.setPollInterval("200ms");
      spec.setPropagation(p);
      fixture.createIssuer(NS, "lagging", spec);
      String key = token();

      String message = failure(payload("Present", NS, "lagging", FQDN, key), "PropagationTimeout");

      assertThat(message).contains("1 of 2 authoritative nameserver(s) still do not serve");
      assertThat(message.substring(message.indexOf("still do not serve")))
          .contains("127.0.0.1:" + port + " (unreachable)")
          .doesNotContain(named.address() + ":" + named.port() + " (");
      // written to the primary; cert-manager calls Present again or CleanUp later
      assertThat(named.txt(FQDN)).contains(key);
      certManager.postChallenge(payload("CleanUp", NS, "lagging", FQDN, key));
      assertThat(named.txt(FQDN)).doesNotContain(key);
    }
  }
}
