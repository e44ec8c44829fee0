package io.dnsupdate.operator.tsigkey;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.awaitSecret;
import static io.dnsupdate.operator.testing.Resources.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.operator.issuer.IssuerReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * The proof that the rendered nameserver configuration is right: a key the operator generated is
 * unknown to a fresh BIND until BIND includes the operator's key clause and update-policy grants;
 * then the issuer becomes Ready, an UPDATE signed with the key is accepted at a granted name and
 * refused anywhere else.
 */
@EnableKubernetesMockClient(crud = true)
class NameserverConfigIT {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;
  static NamedServer named;

  @BeforeAll
  static void start() {
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.start(server);
    // example.test with no key and no update-policy: every update refused
    named =
        NamedServer.builder()
            .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords(), List.of())
            .start();
  }

  @AfterAll
  static void stop() {
    operator.close();
    named.close();
  }

  @Test
  void bindLoadsTheRenderedSnippetAndEnforcesItsGrants(@TempDir Path dir) throws Exception {
    String ns = OperatorFixture.namespace(client, "proof");
    apply(client, Resources.tsigKey(ns, "gen", s -> {}));
    apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "gen",
            List.of("127.0.0.1:" + named.port()),
            List.of("example.test", "a.example.test"),
            s -> s.setTimeout("3s")));

    // BIND does not know the generated key yet
    awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeyRejected);
    Secret config =
        awaitSecret(
            client,
            ns,
            "gen-nameserver-config",
            s -> value(s, "update-policy").contains("_acme-challenge.a.example.test."));

    Path keyClause = Files.writeString(dir.resolve("key.conf"), value(config, "named.conf"));
    Path policy =
        Files.writeString(
            dir.resolve("policy.conf"),
            "update-policy {\n" + value(config, "update-policy") + "};\n");
    named.addInclude(keyClause).addZoneInclude(StandardZones.EXAMPLE, policy).reconfig();

    DnsUpdateIssuer ready =
        awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.Authenticated);
    assertThat(ready.getStatus().getZone()).isEqualTo("example.test.");
    assertThat(ready.getStatus().getKeyName()).isEqualTo("gen.proof.dnsupdate.io.");

    TsigCredentials key =
        KeySecretCodec.fromSecret(client.secrets().inNamespace(ns).withName("gen-tsig").get())
            .current();
    DnsUpdateClient dns =
        new DnsUpdateClient(
            ServerEndpoint.tcp("127.0.0.1:" + named.port()), key, Clock.systemUTC());
    Name zone = Name.fromString("example.test.");

    dns.addTxt(zone, Name.fromString("_acme-challenge.example.test."), "apex-proof", 60);
    dns.addTxt(zone, Name.fromString("_acme-challenge.a.example.test."), "sub-proof", 60);
    assertThat(named.txt("_acme-challenge.example.test.")).containsExactly("apex-proof");
    assertThat(named.txt("_acme-challenge.a.example.test.")).containsExactly("sub-proof");

    for (String outside :
        List.of(
            "_acme-challenge.b.example.test.",
            "www.example.test.",
            "_acme-challenge.x.a.example.test.")) {
      assertThatThrownBy(() -> dns.addTxt(zone, Name.fromString(outside), "nope", 60))
          .as(outside)
          .isInstanceOf(DnsUpdateException.class)
          .hasFieldOrPropertyWithValue("reason", FailureReason.UpdateRefused);
    }
    assertThat(named.txt("_acme-challenge.b.example.test.")).isEmpty();
  }
}
