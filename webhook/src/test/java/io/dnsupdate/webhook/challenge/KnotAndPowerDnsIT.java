package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KnotConfigRenderer;
import io.dnsupdate.config.NameserverConfig;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.AuthoritativeServer;
import io.dnsupdate.testkit.KnotServer;
import io.dnsupdate.testkit.PowerDnsServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * cert-manager's Present and CleanUp through the webhook to a real Knot DNS and a real PowerDNS
 * holding exactly the rendered configuration of an issuer's key (domains example.test and
 * a.b.example.test): both challenge names work, and a subdomain the issuer's domains cover but the
 * grants do not fails with a message that says what to do, on PowerDNS although it answers NOERROR.
 */
class KnotAndPowerDnsIT {
  static final String NS = "servers";
  static final List<String> DOMAINS = List.of("example.test", "a.b.example.test");

  static final TsigCredentials KEY =
      TsigCredentials.generate(
          "web.servers.dnsupdate.io", TsigAlgorithm.HMAC_SHA256, new SecureRandom());
  static final NameserverConfig RENDERED =
      NameserverConfig.render(
          KEY,
          DomainPolicy.of(DOMAINS).challengeNames(),
          List.of(Name.fromConstantString("example.test.")));

  @TempDir static Path dir;
  static WebhookFixture fixture;
  static FrontProxyClient certManager;
  static KnotServer knot;
  static PowerDnsServer pdns;

  @BeforeAll
  static void start() throws Exception {
    Path snippet = Files.writeString(dir.resolve("dnsupdate.conf"), RENDERED.knotConf());
    knot =
        KnotServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .include(snippet)
            .zoneAcl(StandardZones.EXAMPLE, KnotConfigRenderer.aclId(KEY.keyName()))
            .start();
    pdns =
        PowerDnsServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .policy(RENDERED.powerDnsPolicy())
            .start();
    pdns.runCommands(RENDERED.powerDns());
    fixture = WebhookFixture.start();
    certManager = fixture.certManager();
    fixture.createKey(NS, "web", KeyMaterial.of(KEY));
    // the outsideGrants each server's probe finds (operator's IssuerProbeServersIT)
    fixture.createIssuer(NS, "knot", spec(knot), OutsideGrants.Refused);
    fixture.createIssuer(NS, "pdns", spec(pdns), OutsideGrants.RefusedSilently);
    fixture.createIssuer(NS, "pdns-said-loud", spec(pdns), OutsideGrants.Refused);
    DnsUpdateIssuerSpec fallback = spec(pdns);
    fallback.setNameservers(
        List.of("127.0.0.1:" + FailureCasesIT.closedPort(), "127.0.0.1:" + pdns.port()));
    fixture.createIssuer(NS, "pdns-as-fallback", fallback, OutsideGrants.Refused);
  }

  @AfterAll
  static void stop() {
    try {
      if (fixture != null) {
        fixture.close();
      }
    } finally {
      knot.close();
      pdns.close();
    }
  }

  static DnsUpdateIssuerSpec spec(AuthoritativeServer server) {
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("127.0.0.1:" + server.port()));
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("web"));
    spec.setDomains(DOMAINS);
    spec.setTimeout("5s");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(false);
    spec.setPropagation(p);
    return spec;
  }

  static JsonNode post(String action, String issuer, String fqdn, String key) {
    FrontProxyClient.Response r = certManager.postChallenge(payload(action, NS, issuer, fqdn, key));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return json(r.body()).get("response");
  }

  void presentAndCleanUpAtBothNames(String issuer, AuthoritativeServer server) {
    for (String fqdn :
        List.of("_acme-challenge.example.test.", "_acme-challenge.a.b.example.test.")) {
      String key = token();
      JsonNode present = post("Present", issuer, fqdn, key);
      assertThat(present.get("success").asBoolean()).as(present.toString()).isTrue();
      assertThat(server.txt(fqdn)).contains(key);

      JsonNode cleanUp = post("CleanUp", issuer, fqdn, key);
      assertThat(cleanUp.get("success").asBoolean()).as(cleanUp.toString()).isTrue();
      assertThat(server.txt(fqdn)).doesNotContain(key);
    }
  }

  /** Present at a name below a listed domain: allowed by the issuer, not granted by the server. */
  String refusedBelowAListedDomain(String issuer, AuthoritativeServer server, String reason) {
    List<String> before = server.recordStrings(StandardZones.EXAMPLE);
    JsonNode present = post("Present", issuer, "_acme-challenge.other.example.test.", token());
    assertThat(present.get("success").asBoolean()).as(present.toString()).isFalse();
    assertThat(present.get("status").get("reason").asText()).isEqualTo(reason);
    assertThat(server.recordStrings(StandardZones.EXAMPLE)).isEqualTo(before);
    return present.get("status").get("message").asText();
  }

  @Test
  void knotTakesPresentAndCleanUpAtBothChallengeNames() {
    presentAndCleanUpAtBothNames("knot", knot);
  }

  @Test
  void powerDnsTakesPresentAndCleanUpAtBothChallengeNames() {
    presentAndCleanUpAtBothNames("pdns", pdns);
  }

  /**
   * The webhook trusts a NOERROR without reading the change back only from the primary its probe
   * saw refuse loudly: shown with a PowerDNS whose status says otherwise (as it would after the
   * issuer's primary was swapped from BIND to PowerDNS, until the next probe), which drops the
   * ungranted change silently and so "succeeds"; the same server as an unprobed fallback is read
   * back and the challenge fails.
   */
  @Test
  void onlyThePrimaryTheProbeSawRefuseLoudlyIsTrustedWithoutReadBack() {
    String fqdn = "_acme-challenge.other.example.test.";
    List<String> before = pdns.recordStrings(StandardZones.EXAMPLE);

    JsonNode trusted = post("Present", "pdns-said-loud", fqdn, token());
    JsonNode readBack = post("Present", "pdns-as-fallback", fqdn, token());

    assertThat(trusted.get("success").asBoolean()).as(trusted.toString()).isTrue();
    assertThat(readBack.get("success").asBoolean()).as(readBack.toString()).isFalse();
    assertThat(readBack.get("status").get("reason").asText()).isEqualTo("UpdateNotApplied");
    assertThat(pdns.recordStrings(StandardZones.EXAMPLE)).isEqualTo(before);
  }

  @Test
  void knotRefusesAnUngrantedSubdomainAndSaysItsAclMayBeWhy() {
    String message = refusedBelowAListedDomain("knot", knot, "KeyRejected");
    assertThat(message).contains("NOTAUTH/BADKEY").contains("acl");
  }

  @Test
  void powerDnsAnswersNoerrorToAnUngrantedSubdomainAndTheChallengeFailsAnyway() {
    String message = refusedBelowAListedDomain("pdns", pdns, "UpdateNotApplied");
    assertThat(message)
        .contains("answered NOERROR")
        .contains("lua-dnsupdate-policy-script")
        .contains("add 'other.example.test' to spec.domains");
  }
}
