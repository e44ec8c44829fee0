package io.dnsupdate.operator.tsigkey;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.awaitSecret;
import static io.dnsupdate.operator.testing.Resources.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.operator.runtime.OperatorRuntime;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.TestKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Imported keys in the real operator on the mock API server, with a recheck interval of an hour:
 * whatever the operator notices within a test's deadline it noticed through its watch on the source
 * Secret, not through the periodic re-read.
 */
@EnableKubernetesMockClient(crud = true)
class ImportedKeyTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;

  @BeforeAll
  static void startOperator() {
    OperatorFixture.applyCrds(client);
    operator =
        OperatorFixture.start(
            server,
            new OperatorRuntime.Settings(
                Clock.systemUTC(),
                new SecureRandom(),
                Set.of(),
                Duration.ofHours(1),
                Duration.ofHours(1),
                Duration.ofHours(1),
                "test-operator"));
  }

  @AfterAll
  static void stopOperator() {
    operator.close();
  }

  private static TsigKey importing(String ns, String overlap, String grace) {
    return apply(
        client,
        Resources.tsigKey(
            ns,
            "acme",
            s -> {
              s.setKeyName(TestKeys.ACME.name());
              s.setImportFrom(new TsigKeySpec.ImportFrom("bind-key", null, overlap, grace));
            }));
  }

  @Test
  void aChangedSourceIsSeenAtOnceAndThePreviousKeyKeptForTheOverlap() {
    String ns = OperatorFixture.namespace(client, "import-watch");
    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
    importing(ns, "1h", null);
    awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.KeyReady);

    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ADMIN.secret())));

    var copy =
        awaitSecret(
            client, ns, "acme-tsig", s -> TestKeys.ADMIN.secret().equals(value(s, "secret")));
    assertThat(value(copy, "previousSecret")).isEqualTo(TestKeys.ACME.secret());
    assertThat(value(copy, "previousExpiresAt")).isNotBlank();
    TsigKey key =
        Resources.awaitResource(
            client,
            TsigKey.class,
            ns,
            "acme",
            k -> k.getStatus().getPreviousKeyExpiresAt() != null);
    assertThat(key.getStatus().getPreviousKeyExpiresAt())
        .isEqualTo(value(copy, "previousExpiresAt"));
    assertThat(awaitEvent(client, ns, "acme", EventReason.KeyImported).getMessage())
        .doesNotContain(TestKeys.ADMIN.secret())
        .doesNotContain(TestKeys.ACME.secret());
  }

  @Test
  void aBrieflyMissingSourceKeepsTheTsigKeyReadyUntilTheGracePeriodEnds() {
    String ns = OperatorFixture.namespace(client, "import-grace");
    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
    importing(ns, null, "3s");
    awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.KeyReady);

    client.secrets().inNamespace(ns).withName("bind-key").delete();

    TsigKey missing =
        awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.ImportSecretMissing);
    Condition ready = Resources.ready(missing).orElseThrow();
    // Ready stays True: issuers use the copied key meanwhile; Reconciling says the operator waits
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getMessage()).contains("'bind-key'", "stays in use until");
    assertThat(condition(missing, "Reconciling")).isEqualTo("True");
    assertThat(missing.getStatus().getImportSecretMissingSince()).isNotBlank();
    assertThat(value(client.secrets().inNamespace(ns).withName("acme-tsig").get(), "secret"))
        .isEqualTo(TestKeys.ACME.secret());
    awaitEvent(client, ns, "acme", EventReason.ImportSecretMissing);

    // the grace period ends (the operator rescheduled itself for that moment, not the hour)
    TsigKey gone =
        awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.ImportSecretNotFound);
    assertThat(Resources.ready(gone).orElseThrow().getStatus()).isEqualTo("False");
    assertThat(Resources.ready(gone).orElseThrow().getMessage())
        .contains("longer than importFrom.gracePeriod 3s");
    assertThat(gone.getStatus().getImportSecretMissingSince())
        .isEqualTo(missing.getStatus().getImportSecretMissingSince());

    apply(client, Resources.userSecret(ns, "bind-key", Map.of("secret", TestKeys.ACME.secret())));
    TsigKey back = awaitReason(client, TsigKey.class, ns, "acme", TsigKeyReason.KeyReady);
    assertThat(back.getStatus().getImportSecretMissingSince()).isNull();
    assertThat(condition(back, "Reconciling")).isEqualTo("False");
  }

  private static String condition(TsigKey key, String type) {
    return Conditions.find(key.getStatus().getConditions(), type)
        .map(Condition::getStatus)
        .filter(Objects::nonNull)
        .orElse(null);
  }
}
