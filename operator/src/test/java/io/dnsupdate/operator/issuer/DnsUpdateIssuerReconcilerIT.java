package io.dnsupdate.operator.issuer;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.ready;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.operator.tsigkey.TsigKeyReason;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DnsUpdateIssuer reconciler in the real operator on the mock API server, probing the real BIND
 * of the standard fixture. Probe and retry intervals are long here: every re-probe a test sees was
 * caused by a watch.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(NamedExtension.class)
class DnsUpdateIssuerReconcilerIT {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;
  static NamedServer named;

  @BeforeAll
  static void start(NamedServer primary) {
    named = primary;
    OperatorFixture.applyCrds(client);
    operator =
        OperatorFixture.start(
            server,
            OperatorFixture.settings(
                Clock.systemUTC(), Duration.ofMinutes(10), Duration.ofMinutes(10)));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  private static String primary() {
    return "127.0.0.1:" + named.port();
  }

  /** A TsigKey importing {@code secret} under the ACME key's name, which BIND knows. */
  private static void acmeKey(String ns, String name, String userSecret, String secret) {
    apply(client, Resources.userSecret(ns, userSecret, Map.of("secret", secret)));
    apply(
        client,
        Resources.tsigKey(
            ns,
            name,
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom(userSecret, null));
            }));
  }

  private static DnsUpdateIssuer issuer(
      String ns, String key, List<String> nameservers, List<String> domains) {
    return issuer(ns, key, nameservers, domains, s -> {});
  }

  private static DnsUpdateIssuer issuer(
      String ns,
      String key,
      List<String> nameservers,
      List<String> domains,
      Consumer<DnsUpdateIssuerSpec> more) {
    return apply(
        client,
        Resources.issuer(
            ns,
            "site",
            key,
            nameservers,
            domains,
            s -> {
              s.setTimeout("3s");
              more.accept(s);
            }));
  }

  private static DnsUpdateIssuer await(String ns, IssuerReason reason) {
    return awaitReason(client, DnsUpdateIssuer.class, ns, "site", reason);
  }

  @Test
  void aKeyTheNameserverKnowsIsAuthenticated() {
    String ns = OperatorFixture.namespace(client, "good");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(ns, "acme", List.of(primary()), List.of("example.test"));

    DnsUpdateIssuer issuer = await(ns, IssuerReason.Authenticated);

    Condition condition = ready(issuer).orElseThrow();
    assertThat(condition.getStatus()).isEqualTo("True");
    assertThat(condition.getMessage()).contains("accepted a request signed with key 'acme-key.'");
    assertThat(issuer.getStatus().getZone()).isEqualTo("example.test.");
    assertThat(issuer.getStatus().getPrimary()).isEqualTo(primary());
    assertThat(issuer.getStatus().getKeyName()).isEqualTo("acme-key.");
    assertThat(issuer.getStatus().getOutsideGrants()).isEqualTo(OutsideGrants.Refused);
    assertThat(issuer.getStatus().getLastProbeTime()).isNotNull();
    assertThat(issuer.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(awaitEvent(client, ns, "site", EventReason.Authenticated).getType())
        .isEqualTo("Normal");
  }

  @Test
  void anImportSourceBrieflyMissingKeepsTheIssuerWorkingUntilTheGracePeriodEnds() {
    String ns = OperatorFixture.namespace(client, "grace");
    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
    apply(
        client,
        Resources.tsigKey(
            ns,
            "acme",
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", null, null, "4s"));
            }));
    issuer(ns, "acme", List.of(primary()), List.of("example.test"));
    await(ns, IssuerReason.Authenticated);
    double probes = authenticatedProbes();

    client.secrets().inNamespace(ns).withName("bind-key").delete();

    awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.ImportSecretMissing);
    // the TsigKey's status changed, so the issuer was probed again, with the copied key: still
    // Authenticated (the probe interval here is ten minutes: only the watch can cause this)
    org.awaitility.Awaitility.await()
        .atMost(Resources.DEADLINE)
        .until(() -> authenticatedProbes() > probes);
    DnsUpdateIssuer during =
        client.resources(DnsUpdateIssuer.class).inNamespace(ns).withName("site").get();
    assertThat(ready(during).orElseThrow().getReason())
        .isEqualTo(IssuerReason.Authenticated.name());

    // after the grace period the key is not ready, and the issuer says so
    await(ns, IssuerReason.KeyNotReady);
    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
    await(ns, IssuerReason.Authenticated);
  }

  private static double authenticatedProbes() {
    var counter =
        operator
            .meters()
            .find("dnsupdate.issuer.outcomes")
            .tag("reason", IssuerReason.Authenticated.name())
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aWrongSecretIsRejectedUntilTheKeyIsFixed() {
    String ns = OperatorFixture.namespace(client, "wrong");
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String wrong = Base64.getEncoder().encodeToString(bytes);
    acmeKey(ns, "acme", "bad-key", wrong);
    issuer(ns, "acme", List.of(primary()), List.of("example.test"));

    DnsUpdateIssuer rejected = await(ns, IssuerReason.KeyRejected);

    assertThat(ready(rejected).orElseThrow().getStatus()).isEqualTo("False");
    assertThat(ready(rejected).orElseThrow().getMessage()).doesNotContain(wrong);
    assertThat(awaitEvent(client, ns, "site", EventReason.KeyRejected).getMessage())
        .doesNotContain(wrong);

    // the TsigKey now imports the right key; its Secret changes and the issuer is probed again
    apply(client, Resources.userSecret(ns, "good-key", Map.of("secret", TestKeys.ACME.secret())));
    client
        .resources(TsigKey.class)
        .inNamespace(ns)
        .withName("acme")
        .edit(
            k -> {
              k.getSpec().setImportFrom(new TsigKeySpec.ImportFrom("good-key", null));
              return k;
            });
    await(ns, IssuerReason.Authenticated);
  }

  @Test
  void aClosedPortIsUnreachable() {
    String ns = OperatorFixture.namespace(client, "unreachable");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(
        ns, "acme", List.of("127.0.0.1:" + OperatorFixture.closedPort()), List.of("example.test"));

    DnsUpdateIssuer issuer = await(ns, IssuerReason.NameserverUnreachable);

    assertThat(issuer.getStatus().getPrimary()).isNull();
    assertThat(issuer.getStatus().getLastProbeTime()).isNotNull();
  }

  @Test
  void theNextNameserverIsTriedWhenThePrimaryIsUnreachable() {
    String ns = OperatorFixture.namespace(client, "fallback");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(
        ns,
        "acme",
        List.of("127.0.0.1:" + OperatorFixture.closedPort(), primary()),
        List.of("example.test"));

    assertThat(await(ns, IssuerReason.Authenticated).getStatus().getPrimary()).isEqualTo(primary());
  }

  @Test
  void aDomainTheNameserverDoesNotServeHasNoZone() {
    String ns = OperatorFixture.namespace(client, "nozone");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(ns, "acme", List.of(primary()), List.of("example.org"));

    DnsUpdateIssuer issuer = await(ns, IssuerReason.ZoneNotFound);

    assertThat(ready(issuer).orElseThrow().getMessage()).contains("example.org");
  }

  @Test
  void aZoneTheNameserverIsNotAuthoritativeForIsNotFound() {
    String ns = OperatorFixture.namespace(client, "wrongzone");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(ns, "acme", List.of(primary()), List.of("nothere.test"), s -> s.setZone("nothere.test"));

    await(ns, IssuerReason.ZoneNotFound);
  }

  @Test
  void anInvalidSpecListsEveryProblemAndHarmsNoOtherIssuer() {
    String ns = OperatorFixture.namespace(client, "invalid");
    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    issuer(
        ns,
        "acme",
        List.of("not a host!"),
        List.of("*.example.test"),
        s -> {
          s.setTtl(0);
          s.setTimeout("forever");
        });

    DnsUpdateIssuer issuer = await(ns, IssuerReason.InvalidSpec);

    assertThat(ready(issuer).orElseThrow().getMessage())
        .contains("nameservers[0]")
        .contains("domains[0]")
        .contains("ttl: 0")
        .contains("timeout:");
    awaitEvent(client, ns, "site", EventReason.InvalidSpec);

    apply(
        client,
        Resources.issuer(
            ns, "other", "acme", List.of(primary()), List.of("example.test"), s -> {}));
    awaitReason(client, DnsUpdateIssuer.class, ns, "other", IssuerReason.Authenticated);
  }

  @Test
  void aMissingKeyIsNotReadyUntilItExists() {
    String ns = OperatorFixture.namespace(client, "later");
    issuer(ns, "acme", List.of(primary()), List.of("example.test"));

    DnsUpdateIssuer waiting = await(ns, IssuerReason.KeyNotReady);
    assertThat(ready(waiting).orElseThrow().getMessage())
        .contains("TsigKey 'acme' does not exist in namespace 'later'");

    acmeKey(ns, "acme", "bind-key", TestKeys.ACME.secret());
    awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.KeyReady);
    await(ns, IssuerReason.Authenticated);
  }

  @Test
  void aKeyThatIsNotReadyIsReportedWithItsReason() {
    String ns = OperatorFixture.namespace(client, "notready");
    apply(
        client,
        Resources.tsigKey(
            ns, "acme", s -> s.setImportFrom(new TsigKeySpec.ImportFrom("missing", null))));
    issuer(ns, "acme", List.of(primary()), List.of("example.test"));

    // first "not reconciled yet", then, when the TsigKey's status changes, its reason
    DnsUpdateIssuer issuer =
        Resources.awaitResource(
            client,
            DnsUpdateIssuer.class,
            ns,
            "site",
            i -> ready(i).map(c -> c.getMessage().contains("ImportSecretNotFound")).orElse(false));

    assertThat(ready(issuer).orElseThrow().getReason()).isEqualTo("KeyNotReady");
    assertThat(ready(issuer).orElseThrow().getMessage()).contains("TsigKey 'acme' is not ready");
  }
}
