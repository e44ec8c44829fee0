package io.dnsupdate.operator.tsigkey;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.awaitResource;
import static io.dnsupdate.operator.testing.Resources.awaitSecret;
import static io.dnsupdate.operator.testing.Resources.events;
import static io.dnsupdate.operator.testing.Resources.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyAlgorithm;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TsigKey reconciler, in the real operator, against the mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class TsigKeyReconcilerTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;

  @BeforeAll
  static void startOperator() {
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.start(server);
  }

  @AfterAll
  static void stopOperator() {
    operator.close();
  }

  private static TsigKey readyKey(String namespace, String name) {
    return awaitReason(client, TsigKey.class, namespace, name, TsigKeyReason.KeyReady);
  }

  private static void edit(String namespace, String name, Consumer<TsigKey> change) {
    client
        .resources(TsigKey.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            k -> {
              change.accept(k);
              return k;
            });
  }

  private static Secret secret(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  @Test
  void generatesAKeyOnceThatSurvivesReconcilesEditsAndARestart() {
    String ns = OperatorFixture.namespace(client, "generate");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    TsigKey key = readyKey(ns, "web");
    Secret secret = secret(ns, "web-tsig");
    String fingerprint = KeySecretCodec.fromSecret(secret).current().fingerprint();
    assertThat(key.getStatus().getFingerprint()).isEqualTo(fingerprint);
    assertThat(key.getStatus().getKeyName()).isEqualTo("web.generate.dnsupdate.io.");
    assertThat(key.getStatus().getAlgorithm()).isEqualTo("hmac-sha256");
    assertThat(key.getStatus().getSecretName()).isEqualTo("web-tsig");
    assertThat(key.getStatus().getGeneratedAt()).isNotNull();
    assertThat(key.getStatus().getRotatesAt()).isNull();
    assertThat(key.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(key.getMetadata().getUid()));
    assertThat(awaitEvent(client, ns, "web", EventReason.KeyGenerated).getType())
        .isEqualTo("Normal");
    assertThat(secret(ns, "web-nameserver-config")).isNotNull();

    // an unrelated edit
    edit(ns, "web", k -> k.getSpec().setAllowLegacyAlgorithm(false));
    awaitResource(
        client, TsigKey.class, ns, "web", k -> k.getStatus().getObservedGeneration() == 2L);

    // a restart of the operator, then another edit to be sure it reconciled
    operator.close();
    operator = OperatorFixture.start(server);
    edit(ns, "web", k -> k.getSpec().setAllowLegacyAlgorithm(true));
    TsigKey after =
        awaitResource(
            client, TsigKey.class, ns, "web", k -> k.getStatus().getObservedGeneration() == 3L);

    assertThat(after.getStatus().getFingerprint()).isEqualTo(fingerprint);
    assertThat(secret(ns, "web-tsig").getData()).isEqualTo(secret.getData());
    assertThat(events(client, ns, "web"))
        .filteredOn(e -> e.getReason().equals("KeyGenerated"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void importsAUserSecretWithoutTouchingIt() {
    String ns = OperatorFixture.namespace(client, "import");
    Secret user =
        apply(client, Resources.userSecret(ns, "bind-key", Map.of("tsig", TestKeys.ACME.secret())));
    apply(
        client,
        Resources.tsigKey(
            ns,
            "acme",
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", "tsig"));
            }));

    TsigKey key = readyKey(ns, "acme");

    Secret copy = secret(ns, "acme-tsig");
    assertThat(value(copy, "secret")).isEqualTo(TestKeys.ACME.secret());
    assertThat(value(copy, "keyName")).isEqualTo("acme-key.");
    assertThat(key.getStatus().getFingerprint())
        .isEqualTo(KeySecretCodec.fromSecret(copy).current().fingerprint());
    awaitEvent(client, ns, "acme", EventReason.KeyImported);
    Secret userAfter = secret(ns, "bind-key");
    assertThat(userAfter.getMetadata().getResourceVersion())
        .isEqualTo(user.getMetadata().getResourceVersion());
    assertThat(userAfter.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  void reportsAMissingOrBadImportAndRecoversWhenFixed() {
    String ns = OperatorFixture.namespace(client, "import-bad");
    apply(
        client,
        Resources.tsigKey(
            ns,
            "acme",
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("later", null));
            }));

    TsigKey waiting =
        awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.ImportSecretNotFound);
    // waited for, as a Secret another controller is about to create: in progress, not stalled
    assertThat(condition(waiting, "Reconciling")).isEqualTo("True");
    assertThat(condition(waiting, "Stalled")).isEqualTo("False");
    awaitEvent(client, ns, "acme", EventReason.ImportFailed);
    assertThat(secret(ns, "acme-tsig")).isNull();

    String tooShort = Base64.getEncoder().encodeToString("only-sixteen-byt".getBytes());
    apply(client, Resources.userSecret(ns, "later", Map.of("secret", tooShort)));
    TsigKey invalid =
        awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.ImportSecretInvalid);
    assertThat(Resources.ready(invalid).orElseThrow().getMessage())
        .contains("too short")
        .doesNotContain(tooShort);
    assertThat(condition(invalid, "Stalled")).isEqualTo("True");
    assertThat(condition(invalid, "Reconciling")).isEqualTo("False");

    apply(client, Resources.userSecret(ns, "later", Map.of("secret", TestKeys.ACME.secret())));
    readyKey(ns, "acme");
    assertThat(value(secret(ns, "acme-tsig"), "secret")).isEqualTo(TestKeys.ACME.secret());
  }

  @Test
  void rotatesKeepingThePreviousKeyForTheOverlap() {
    String ns = OperatorFixture.namespace(client, "rotate");
    apply(
        client,
        Resources.tsigKey(
            ns, "fast", s -> s.setRotation(new TsigKeySpec.Rotation("3s", "1500ms"))));
    TsigKey first = readyKey(ns, "fast");
    String firstSecret = value(secret(ns, "fast-tsig"), "secret");
    assertThat(first.getStatus().getRotatesAt()).isNotNull();

    Secret rotated =
        awaitSecret(client, ns, "fast-tsig", s -> !Objects.equals(value(s, "secret"), firstSecret));
    assertThat(value(rotated, "previousSecret")).isEqualTo(firstSecret);
    assertThat(value(rotated, "previousExpiresAt")).isNotNull();
    awaitEvent(client, ns, "fast", EventReason.KeyRotated);
    TsigKey during =
        awaitResource(
            client,
            TsigKey.class,
            ns,
            "fast",
            k -> k.getStatus().getPreviousKeyExpiresAt() != null);
    assertThat(during.getStatus().getFingerprint())
        .isNotEqualTo(first.getStatus().getFingerprint());
    // the nameserver config renders the current key only, under the same name: one clause
    String named =
        value(
            awaitSecret(
                client,
                ns,
                "fast-nameserver-config",
                s -> {
                  String n = value(s, "named.conf");
                  return n != null && !n.contains(firstSecret);
                }),
            "named.conf");
    assertThat(named.split("\nkey \"", -1)).hasSize(2);
    assertThat(named).contains("key \"fast." + ns + ".dnsupdate.io.\" {");

    Secret dropped = awaitSecret(client, ns, "fast-tsig", s -> value(s, "previousSecret") == null);
    assertThat(dropped.getData()).doesNotContainKey("previousExpiresAt");
    awaitEvent(client, ns, "fast", EventReason.PreviousKeyRemoved);
  }

  @Test
  void recreatesADeletedSecretAndWarnsThatTheNameserverNeedsTheNewKey() {
    String ns = OperatorFixture.namespace(client, "recreate");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));
    TsigKey before = readyKey(ns, "web");

    client.secrets().inNamespace(ns).withName("web-tsig").delete();

    TsigKey after =
        awaitResource(
            client,
            TsigKey.class,
            ns,
            "web",
            k -> !k.getStatus().getFingerprint().equals(before.getStatus().getFingerprint()));
    Secret secret = awaitSecret(client, ns, "web-tsig", s -> true);
    assertThat(KeySecretCodec.fromSecret(secret).current().fingerprint())
        .isEqualTo(after.getStatus().getFingerprint());
    Event warning = awaitEvent(client, ns, "web", EventReason.SecretRecreated);
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage())
        .contains("was deleted")
        .contains("nameserver must learn the new key")
        .contains("web-nameserver-config");
    String named = value(secret(ns, "web-nameserver-config"), "named.conf");
    assertThat(named).contains(after.getStatus().getFingerprint());
  }

  @Test
  void putsBackADeletedNameserverConfig() {
    String ns = OperatorFixture.namespace(client, "config-back");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));
    readyKey(ns, "web");

    client.secrets().inNamespace(ns).withName("web-nameserver-config").delete();

    awaitSecret(client, ns, "web-nameserver-config", s -> value(s, "named.conf") != null);
  }

  @Test
  void refusesALegacyAlgorithmUnlessAllowed() {
    String ns = OperatorFixture.namespace(client, "legacy");
    apply(client, Resources.tsigKey(ns, "old", s -> s.setAlgorithm(TsigKeyAlgorithm.HMAC_MD5)));

    TsigKey key = awaitReason(client, TsigKey.class, ns, "old", TsigKeyReason.InvalidSpec);

    assertThat(Resources.ready(key).orElseThrow().getStatus()).isEqualTo("False");
    assertThat(Resources.ready(key).orElseThrow().getMessage()).contains("hmac-md5 is weak");
    assertThat(condition(key, "Stalled")).isEqualTo("True");
    assertThat(
            Conditions.find(key.getStatus().getConditions(), "Stalled").orElseThrow().getReason())
        .isEqualTo("InvalidSpec");
    assertThat(awaitEvent(client, ns, "old", EventReason.InvalidSpec).getType())
        .isEqualTo("Warning");
    assertThat(secret(ns, "old-tsig")).isNull();

    edit(ns, "old", k -> k.getSpec().setAllowLegacyAlgorithm(true));
    TsigKey fixed = readyKey(ns, "old");
    assertThat(condition(fixed, "Stalled")).isEqualTo("False");
    assertThat(condition(fixed, "Reconciling")).isEqualTo("False");
    assertThat(fixed.getStatus().getConditions())
        .allSatisfy(
            c ->
                assertThat(c.getObservedGeneration())
                    .isEqualTo(fixed.getMetadata().getGeneration()));
    assertThat(value(secret(ns, "old-tsig"), "algorithm")).isEqualTo("hmac-md5");
  }

  @Test
  void leavesASecretOfSomebodyElseAlone() {
    String ns = OperatorFixture.namespace(client, "conflict");
    Secret foreign = apply(client, Resources.userSecret(ns, "web-tsig", Map.of("password", "x")));
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.SecretConflict);

    awaitEvent(client, ns, "web", EventReason.SecretConflict);
    assertThat(secret(ns, "web-tsig").getData()).isEqualTo(foreign.getData());
  }

  @Test
  void refusesALabelledSecretThatSomeoneApplies() {
    String ns = OperatorFixture.namespace(client, "applied");
    // as committed to Git with the operator's labels and applied by kubectl / Argo CD
    Secret committed = Resources.userSecret(ns, "web-tsig", Map.of("secret", "from-git"));
    committed
        .getMetadata()
        .setLabels(
            Map.of(
                "app.kubernetes.io/managed-by", "dnsupdate-operator",
                "dnsupdate.io/tsigkey", "web"));
    committed.getMetadata().setAnnotations(Map.of(KeySecrets.LAST_APPLIED, "{}"));
    Secret before = apply(client, committed);
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    TsigKey key = awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.SecretConflict);

    assertThat(Resources.ready(key).orElseThrow().getMessage())
        .contains("carries the operator's labels but 'kubectl apply'");
    assertThat(condition(key, "Stalled")).isEqualTo("True");
    assertThat(secret(ns, "web-tsig").getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
  }

  @Test
  void aRetainedKeySecretIsNotOwnedAndIsTakenOverByTheNextTsigKey() {
    String ns = OperatorFixture.namespace(client, "retain");
    apply(
        client,
        Resources.tsigKey(ns, "web", s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain)));
    TsigKey first = readyKey(ns, "web");
    assertThat(secret(ns, "web-tsig").getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(secret(ns, "web-nameserver-config").getMetadata().getOwnerReferences()).hasSize(1);

    client.resources(TsigKey.class).inNamespace(ns).withName("web").delete();
    awaitResourceGone(ns, "web");
    apply(
        client,
        Resources.tsigKey(ns, "web", s -> s.setSecretPolicy(TsigKeySpec.SecretPolicy.Retain)));
    TsigKey second =
        awaitResource(
            client,
            TsigKey.class,
            ns,
            "web",
            k ->
                !k.getMetadata().getUid().equals(first.getMetadata().getUid())
                    && k.getStatus() != null
                    && k.getStatus().getFingerprint() != null);

    assertThat(second.getStatus().getFingerprint()).isEqualTo(first.getStatus().getFingerprint());
    assertThat(events(client, ns, "web"))
        .noneMatch(e -> e.getReason().equals(EventReason.SecretRecreated.name()));

    // back to Delete: the Secret gets its owner reference again
    edit(ns, "web", k -> k.getSpec().setSecretPolicy(TsigKeySpec.SecretPolicy.Delete));
    awaitSecret(
        client,
        ns,
        "web-tsig",
        s ->
            s.getMetadata().getOwnerReferences() != null
                && s.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getUid().equals(second.getMetadata().getUid())));
  }

  private static void awaitResourceGone(String ns, String name) {
    org.awaitility.Awaitility.await()
        .atMost(Resources.DEADLINE)
        .until(() -> client.resources(TsigKey.class).inNamespace(ns).withName(name).get() == null);
  }

  @Test
  void grantsFollowTheIssuersThatUseTheKey() {
    String ns = OperatorFixture.namespace(client, "grants");
    apply(client, Resources.tsigKey(ns, "one", s -> {}));
    apply(client, Resources.tsigKey(ns, "two", s -> {}));
    readyKey(ns, "one");
    readyKey(ns, "two");
    apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "one",
            List.of("127.0.0.1:1"),
            List.of("example.test", "www.example.test"),
            s -> {}));

    String grantOne = "grant one.grants.dnsupdate.io. name _acme-challenge.example.test. TXT;";
    awaitSecret(
        client, ns, "one-nameserver-config", s -> value(s, "update-policy").contains(grantOne));
    TsigKey one = readyKey(ns, "one");
    assertThat(Resources.ready(one).orElseThrow().getMessage()).contains("2 update-policy grants");

    client
        .resources(DnsUpdateIssuer.class)
        .inNamespace(ns)
        .withName("site")
        .edit(
            i -> {
              i.getSpec().setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("two"));
              return i;
            });

    String grantTwo = "grant two.grants.dnsupdate.io. name _acme-challenge.www.example.test. TXT;";
    awaitSecret(
        client, ns, "two-nameserver-config", s -> value(s, "update-policy").contains(grantTwo));
    awaitSecret(
        client,
        ns,
        "one-nameserver-config",
        s -> !value(s, "update-policy").contains("grant one."));

    client.resources(DnsUpdateIssuer.class).inNamespace(ns).withName("site").delete();
    awaitSecret(
        client,
        ns,
        "two-nameserver-config",
        s -> !value(s, "update-policy").contains("grant two."));
  }

  private static String condition(TsigKey key, String type) {
    return Conditions.find(key.getStatus().getConditions(), type)
        .map(c -> c.getStatus())
        .orElse(null);
  }
}
