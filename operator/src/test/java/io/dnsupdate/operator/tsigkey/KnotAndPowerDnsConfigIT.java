package io.dnsupdate.operator.tsigkey;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.awaitSecret;
import static io.dnsupdate.operator.testing.Resources.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.issuer.IssuerReason;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.KnotServer;
import io.dnsupdate.testkit.PowerDnsServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * {@link NameserverConfigIT} for Knot DNS and PowerDNS: the running operator renders the Secret,
 * the server loads its entries as docs/install.md says, and the issuer becomes Ready. On PowerDNS
 * the status first says the key is not limited (commands loaded, no policy yet), then Ready with
 * reason Authenticated once the policy is installed.
 */
@EnableKubernetesMockClient(crud = true)
class KnotAndPowerDnsConfigIT {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;

  @BeforeAll
  static void start() {
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.start(server);
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  /** A TsigKey and an issuer for example.test and a.b.example.test at the given port. */
  private static String keyAndIssuer(String prefix, int port) {
    String ns = OperatorFixture.namespace(client, prefix);
    apply(client, Resources.tsigKey(ns, "gen", s -> {}));
    apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "gen",
            List.of("127.0.0.1:" + port),
            List.of("example.test", "a.b.example.test"),
            s -> {
              s.setTimeout("3s");
              // named, as in examples/: the status carries it before the server knows the key,
              // so the rendered zone lines appear at once
              s.setZone("example.test.");
            }));
    return ns;
  }

  /** The nameserver-config Secret once the issuer's zone is in it. */
  private static Secret config(String ns) {
    return awaitSecret(
        client,
        ns,
        "gen-nameserver-config",
        s -> value(s, "pdns.txt").contains("\npdnsutil set-meta example.test."));
  }

  private static void granted(String ns, int port) throws Exception {
    TsigCredentials key =
        KeySecretCodec.fromSecret(client.secrets().inNamespace(ns).withName("gen-tsig").get())
            .current();
    DnsUpdateClient dns =
        new DnsUpdateClient(ServerEndpoint.tcp("127.0.0.1:" + port), key, Clock.systemUTC());
    dns.addTxt(
        Name.fromString("example.test."),
        Name.fromString("_acme-challenge.a.b.example.test."),
        "operator-proof",
        60);
  }

  @Test
  void knotLoadsTheRenderedSnippetAndTheIssuerBecomesReady(@TempDir Path dir) throws Exception {
    try (KnotServer knot =
        KnotServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      String ns = keyAndIssuer("knot", knot.port());
      awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeyRejected);
      Secret config = config(ns);

      String text = value(config, "knot.conf");
      assertThat(text).contains("#zone:\n#  - domain: example.test.\n");
      Path snippet = Files.writeString(dir.resolve("dnsupdate.conf"), text);
      knot.addInclude(snippet)
          .addZoneAcl(StandardZones.EXAMPLE, "dnsupdate-gen." + ns + ".dnsupdate.io")
          .reload();

      DnsUpdateIssuer ready =
          awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.Authenticated);
      assertThat(ready.getStatus().getZone()).isEqualTo("example.test.");
      granted(ns, knot.port());
      assertThat(knot.txt("_acme-challenge.a.b.example.test.")).containsExactly("operator-proof");
    }
  }

  @Test
  void powerDnsIsNotLimitedUntilThePolicyIsInstalledThenReady() throws Exception {
    try (PowerDnsServer pdns =
        PowerDnsServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      String ns = keyAndIssuer("pdns", pdns.port());
      awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeyRejected);
      Secret config = config(ns);

      pdns.runCommands(value(config, "pdns.txt"));
      DnsUpdateIssuer unlimited =
          awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeyNotLimited);
      assertThat(Resources.ready(unlimited).orElseThrow().getStatus()).isEqualTo("True");
      assertThat(Resources.ready(unlimited).orElseThrow().getMessage())
          .contains("NOT limited")
          .contains("pdns-policy.lua");

      pdns.installPolicy(value(config, "pdns-policy.lua"));
      awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.Authenticated);
      granted(ns, pdns.port());
      assertThat(pdns.txt("_acme-challenge.a.b.example.test.")).containsExactly("operator-proof");
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE))
          .noneMatch(l -> l.contains("_dnsupdate-limit-probe"));
    }
  }

  /**
   * An imported key is probed like a generated one, and an issuer that requires a limited key is
   * not Ready while PowerDNS lets the key change the whole zone.
   */
  @Test
  void anImportedKeyThatCanChangeTheWholeZoneBlocksAnIssuerThatRequiresALimitedKey()
      throws Exception {
    try (PowerDnsServer pdns =
        PowerDnsServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
            .start()) {
      String ns = OperatorFixture.namespace(client, "pdns-import");
      apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
      apply(
          client,
          Resources.tsigKey(
              ns,
              "imp",
              s -> {
                s.setKeyName(TestKeys.ACME.name());
                s.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", null));
              }));
      apply(
          client,
          Resources.issuer(
              ns,
              "strict",
              "imp",
              List.of("127.0.0.1:" + pdns.port()),
              List.of("example.test", "a.b.example.test"),
              s -> {
                s.setTimeout("3s");
                s.setZone("example.test.");
                s.setRequireLimitedKey(true);
              }));
      Secret config =
          awaitSecret(
              client,
              ns,
              "imp-nameserver-config",
              c -> value(c, "pdns.txt").contains("\npdnsutil set-meta example.test."));
      List<String> before = pdns.zoneContents(StandardZones.EXAMPLE);

      pdns.runCommands(value(config, "pdns.txt"));
      DnsUpdateIssuer blocked =
          awaitReason(client, DnsUpdateIssuer.class, ns, "strict", IssuerReason.KeyTooBroad);
      Condition ready = Resources.ready(blocked).orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getMessage())
          .contains("NOT limited", "requireLimitedKey")
          .doesNotContain(TestKeys.ACME.secret());
      assertThat(
              Conditions.find(blocked.getStatus().getConditions(), "Stalled")
                  .orElseThrow()
                  .getStatus())
          .isEqualTo("True");
      assertThat(awaitEvent(client, ns, "strict", EventReason.KeyTooBroad).getType())
          .isEqualTo("Warning");
      // the probe left nothing behind
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE)).isEqualTo(before);

      pdns.installPolicy(value(config, "pdns-policy.lua"));
      awaitReason(client, DnsUpdateIssuer.class, ns, "strict", IssuerReason.Authenticated);
      assertThat(pdns.zoneContents(StandardZones.EXAMPLE)).isEqualTo(before);
    }
  }
}
