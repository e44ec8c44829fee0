package io.dnsupdate.operator.tsigkey;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.awaitSecret;
import static io.dnsupdate.operator.testing.Resources.events;
import static io.dnsupdate.operator.testing.Resources.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.operator.status.ApiFailure;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.FaultyApi;
import io.dnsupdate.operator.testing.FaultyApi.Fault;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * TsigKeys when the API server fails the operator's own calls (RBAC denial, a conflicting writer, a
 * failing or rejecting admission webhook, a denied status write): the real operator against a mock
 * API server in CRUD mode that injects the failures, then lifts them.
 */
class TsigKeyApiFailureTest {
  /** The operator rechecks a stalled key every second in tests: a few calls, not a hot loop. */
  private static final int MAX_CALLS_IN_3S = 8;

  static FaultyApi api;
  static KubernetesClient client;
  static OperatorFixture operator;

  @BeforeAll
  static void start() {
    api = FaultyApi.start();
    client = api.client();
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.startWithoutClientRetries(api.server());
  }

  @AfterAll
  static void stop() {
    operator.close();
    api.close();
  }

  private static String secrets(String ns) {
    return "/api/v1/namespaces/" + ns + "/secrets";
  }

  @Test
  void aForbiddenSecretCreateStallsNamingTheGrantAndClearsOnceGranted() {
    String ns = OperatorFixture.namespace(client, "forbidden");
    Fault denied =
        api.fail(
            "POST",
            secrets(ns),
            403,
            "secrets is forbidden: User \"system:serviceaccount:dnsupdate:dnsupdate-operator\""
                + " cannot create resource \"secrets\" in API group \"\" in the namespace \""
                + ns
                + "\"");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    TsigKey key = awaitReason(client, TsigKey.class, ns, "web", ApiFailure.Reason.ApiForbidden);

    Condition ready = condition(key, "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage())
        .startsWith(
            "create secrets 'web-tsig' in namespace 'forbidden': forbidden (HTTP 403): secrets is"
                + " forbidden: User ")
        .contains(
            "Grant the operator's ServiceAccount 'create' on secrets (the core API group) in"
                + " namespace 'forbidden'")
        .contains("operator.watchNamespaces");
    assertThat(condition(key, "Stalled"))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ApiForbidden"))
        .satisfies(c -> assertThat(c.getMessage()).isEqualTo(ready.getMessage()));
    assertThat(condition(key, "Reconciling").getStatus()).isEqualTo("False");
    assertGeneration(key);
    Event warning = awaitEvent(client, ns, "web", EventReason.ApiForbidden);
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage()).isEqualTo(ready.getMessage());

    assertNotSpinning(denied);
    assertThat(events(client, ns, "web"))
        .filteredOn(e -> e.getReason().equals("ApiForbidden"))
        .singleElement();

    denied.lift();
    TsigKey fixed = awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.KeyReady);
    assertThat(condition(fixed, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(fixed, "Stalled").getStatus()).isEqualTo("False");
    assertThat(condition(fixed, "Reconciling").getStatus()).isEqualTo("False");
    assertGeneration(fixed);
    assertNoKeyIn(
        ns, "web", keyValues(client.secrets().inNamespace(ns).withName("web-tsig").get()));
  }

  @Test
  void aConflictIsRetriedQuietlyThenReportedAsReconcilingAndClears() {
    String ns = OperatorFixture.namespace(client, "conflict-retry");
    Fault conflict =
        api.fail(
            "POST",
            secrets(ns),
            409,
            "Operation cannot be fulfilled on secrets \"web-tsig\": the object has been modified;"
                + " please apply your changes to the latest version and try again");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    TsigKey key = awaitReason(client, TsigKey.class, ns, "web", ApiFailure.Reason.ApiConflict);

    // reported only after retries: one 409 is the normal outcome of a concurrent write
    assertThat(conflict.count()).isGreaterThanOrEqualTo(3);
    Condition ready = condition(key, "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage())
        .startsWith("create secrets 'web-tsig' in namespace 'conflict-retry': conflict (HTTP 409)")
        .contains("the operator retries with backoff");
    assertThat(condition(key, "Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition(key, "Reconciling").getReason()).isEqualTo("ApiConflict");
    assertThat(condition(key, "Stalled").getStatus()).isEqualTo("False");
    assertGeneration(key);
    assertThat(awaitEvent(client, ns, "web", EventReason.ApiConflict).getType())
        .isEqualTo("Warning");

    conflict.lift();
    TsigKey fixed = awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.KeyReady);
    assertThat(condition(fixed, "Reconciling").getStatus()).isEqualTo("False");
  }

  @Test
  void aFailingAdmissionWebhookIsReconcilingRetriedWithBackoffAndClears() {
    String ns = OperatorFixture.namespace(client, "unavailable");
    Fault failing =
        api.fail(
            "POST",
            secrets(ns),
            500,
            "Internal error occurred: failed calling webhook \"policy.example.com\": connection"
                + " refused");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    TsigKey key = awaitReason(client, TsigKey.class, ns, "web", ApiFailure.Reason.ApiUnavailable);

    assertThat(condition(key, "Ready").getMessage())
        .startsWith(
            "create secrets 'web-tsig' in namespace 'unavailable': the API server failed (HTTP"
                + " 500): Internal error occurred: failed calling webhook")
        .contains("The operator retries with backoff");
    assertThat(condition(key, "Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition(key, "Stalled").getStatus()).isEqualTo("False");
    assertGeneration(key);
    assertThat(awaitEvent(client, ns, "web", EventReason.ApiUnavailable).getType())
        .isEqualTo("Warning");
    assertNotSpinning(failing);

    failing.lift();
    TsigKey fixed = awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.KeyReady);
    assertThat(condition(fixed, "Reconciling").getStatus()).isEqualTo("False");
    assertThat(condition(fixed, "Stalled").getStatus()).isEqualTo("False");
  }

  @Test
  void aRejectionOrFailureThatEchoesTheSecretIsReportedAndLoggedWithoutTheKey() {
    String ns = OperatorFixture.namespace(client, "rejected");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      // a hostile or careless admission webhook quotes the request, key bytes included
      Fault rejecting = api.fail("POST", secrets(ns), 422, TsigKeyApiFailureTest::echoKey);
      apply(client, Resources.tsigKey(ns, "web", s -> {}));

      TsigKey key = awaitReason(client, TsigKey.class, ns, "web", ApiFailure.Reason.ApiRejected);
      Event warning = awaitEvent(client, ns, "web", EventReason.ApiRejected);

      assertThat(condition(key, "Ready").getMessage())
          .startsWith(
              "create secrets 'web-tsig' in namespace 'rejected': rejected as invalid (HTTP 422):"
                  + " admission webhook")
          .contains("<redacted>");
      assertThat(condition(key, "Stalled").getStatus()).isEqualTo("True");
      assertThat(warning.getType()).isEqualTo("Warning");

      // the same echo from a failing webhook: retried, so JOSDK logs the exception each time
      Fault failing = api.fail("POST", secrets(ns), 500, TsigKeyApiFailureTest::echoKey);
      rejecting.lift();
      awaitReason(client, TsigKey.class, ns, "web", ApiFailure.Reason.ApiUnavailable);
      await().atMost(Resources.DEADLINE).until(() -> failing.count() >= 2);
      failing.lift();
      awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.KeyReady);

      List<String> sent = new ArrayList<>();
      for (Fault f : List.of(rejecting, failing)) {
        f.bodies().forEach(b -> sent.addAll(keyValues(Serialization.unmarshal(b, Secret.class))));
      }
      assertThat(sent).isNotEmpty();
      assertNoKeyIn(ns, "web", sent);
      List<String> logged = logged(logs);
      assertThat(logged).anyMatch(line -> line.contains("<redacted>"));
      for (String line : logged) {
        for (String v : sent) {
          assertThat(line).doesNotContain(v);
        }
      }
    } finally {
      root.detachAppender(logs);
    }
  }

  /** What an admission webhook that quotes the key of the Secret it refuses would answer. */
  private static String echoKey(String body) {
    Secret posted = Serialization.unmarshal(body, Secret.class);
    return "admission webhook \"deny.example.com\" denied the request: secret "
        + posted.getData().get("secret")
        + " ("
        + value(posted, "secret")
        + ") is not allowed";
  }

  /** Every captured log line, with the messages of its exception and their causes. */
  private static List<String> logged(ListAppender<ILoggingEvent> logs) {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      out.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        out.add(String.valueOf(t.getMessage()));
      }
    }
    return out;
  }

  @Test
  void aForbiddenStatusWriteIsToldOnceInAnEventAndClearsOnceGranted() {
    String ns = OperatorFixture.namespace(client, "status-denied");
    Fault denied =
        api.fail(
            "PATCH",
            "/apis/dnsupdate.io/v1alpha1/namespaces/" + ns + "/tsigkeys/web/status",
            403,
            "tsigkeys.dnsupdate.io \"web\" is forbidden: User \"system:serviceaccount:x:y\" cannot"
                + " patch resource \"tsigkeys/status\"");
    apply(client, Resources.tsigKey(ns, "web", s -> {}));

    Event warning = awaitEvent(client, ns, "web", EventReason.ApiForbidden);

    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage())
        .startsWith(
            "patch tsigkeys/status 'web' in namespace 'status-denied': forbidden (HTTP 403)")
        .contains(
            "Grant the operator's ServiceAccount 'patch' on tsigkeys/status (API group"
                + " dnsupdate.io) in namespace 'status-denied'");
    // the Secrets were written; only the status could not be
    awaitSecret(client, ns, "web-tsig", s -> true);
    assertThat(client.resources(TsigKey.class).inNamespace(ns).withName("web").get().getStatus())
        .isNull();
    assertNotSpinning(denied);
    assertThat(events(client, ns, "web"))
        .filteredOn(e -> e.getReason().equals("ApiForbidden"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));

    denied.lift();
    TsigKey fixed = awaitReason(client, TsigKey.class, ns, "web", TsigKeyReason.KeyReady);
    assertGeneration(fixed);
  }

  /** Over three seconds, the failing call is made a few times: rechecked, not spinning. */
  private static void assertNotSpinning(Fault fault) {
    int before = fault.count();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> fault.count() - before <= MAX_CALLS_IN_3S);
    assertThat(fault.count()).isGreaterThan(before);
  }

  private static void assertGeneration(TsigKey key) {
    Long generation = key.getMetadata().getGeneration();
    assertThat(key.getStatus().getObservedGeneration()).isEqualTo(generation);
    assertThat(key.getStatus().getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(generation));
  }

  /** A Secret's key values (current and previous), base64 as stored and decoded. */
  private static List<String> keyValues(Secret secret) {
    List<String> out = new ArrayList<>();
    for (String field : List.of("secret", "previousSecret")) {
      String stored = secret.getData() == null ? null : secret.getData().get(field);
      if (stored != null) {
        out.add(stored);
        out.add(value(secret, field));
        out.add(
            Base64.getEncoder()
                .encodeToString(Base64.getDecoder().decode(stored))
                .replace("=", ""));
      }
    }
    return out.stream().filter(v -> v != null && v.length() >= 8).toList();
  }

  /** No condition message and no Event message about the key quotes any of {@code values}. */
  private static void assertNoKeyIn(String ns, String name, List<String> values) {
    TsigKey key = client.resources(TsigKey.class).inNamespace(ns).withName(name).get();
    List<String> texts = new ArrayList<>();
    if (key.getStatus() != null) {
      key.getStatus().getConditions().forEach(c -> texts.add(c.getMessage()));
      texts.add(Serialization.asJson(key.getStatus()));
    }
    events(client, ns, name).forEach(e -> texts.add(e.getMessage()));
    for (String text : texts) {
      for (String v : values) {
        assertThat(text).doesNotContain(v);
      }
    }
  }

  private static Condition condition(TsigKey key, String type) {
    return Conditions.find(key.getStatus().getConditions(), type).orElseThrow();
  }
}
