package io.dnsupdate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {
  static KubernetesClient client;

  private final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");

  @BeforeAll
  static void crds() {
    OperatorFixture.applyCrds(client);
  }

  private static TsigKey key(String ns) {
    return Resources.apply(client, Resources.tsigKey(ns, "web", s -> {}));
  }

  @Test
  void recordsAnEventAboutTheObject() {
    TsigKey key = key("events-a");
    EventRecorder recorder = new EventRecorder(client, clock, "pod-1");

    recorder.record(key, EventReason.SecretRecreated, "the nameserver must learn the new key");

    Event event = Resources.events(client, "events-a", "web").get(0);
    assertThat(event.getReason()).isEqualTo("SecretRecreated");
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getMessage()).isEqualTo("the nameserver must learn the new key");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("TsigKey");
    assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("dnsupdate.io/v1alpha1");
    assertThat(event.getInvolvedObject().getUid()).isEqualTo(key.getMetadata().getUid());
    assertThat(event.getSource().getComponent()).isEqualTo("dnsupdate-operator");
    assertThat(event.getReportingInstance()).isEqualTo("pod-1");
    assertThat(event.getCount()).isEqualTo(1);
    assertThat(event.getFirstTimestamp()).isEqualTo("2025-06-01T08:00:00Z");
    assertThat(event.getMetadata().getName()).matches("web\\.[0-9a-f]{16}");
  }

  @Test
  void repeatingTheSameNewsCountsInsteadOfAddingEvents() {
    TsigKey key = key("events-b");
    EventRecorder recorder = new EventRecorder(client, clock, "pod-1");

    recorder.record(key, EventReason.KeyRejected, "BADSIG");
    clock.advance(Duration.ofMinutes(3));
    recorder.record(key, EventReason.KeyRejected, "BADSIG");
    recorder.record(key, EventReason.KeyRejected, "something else");

    List<Event> events = Resources.events(client, "events-b", "web");
    assertThat(events).hasSize(2);
    Event repeated =
        events.stream().filter(e -> e.getMessage().equals("BADSIG")).findFirst().orElseThrow();
    assertThat(repeated.getCount()).isEqualTo(2);
    assertThat(repeated.getLastTimestamp()).isEqualTo("2025-06-01T08:03:00Z");
  }

  @Test
  void aRepeatPatchesCountAndLastTimestampOnly() throws Exception {
    ObjectMapper json = new ObjectMapper();

    assertThat(json.readTree(EventRecorder.repeatPatch(3, "2025-06-01T08:03:00Z")))
        .isEqualTo(json.readTree("{\"count\":3,\"lastTimestamp\":\"2025-06-01T08:03:00Z\"}"));
  }

  @Test
  void longMessagesAreCut() {
    TsigKey key = key("events-c");

    new EventRecorder(client, clock, null)
        .record(key, EventReason.InvalidSpec, "problem; ".repeat(500));

    assertThat(Resources.events(client, "events-c", "web").get(0).getMessage())
        .hasSize(SafeMessages.MAX_LENGTH);
  }

  @Test
  void aCountIsRememberedForAsLongAsTheApiServerKeepsTheEvent() {
    TsigKey key = key("events-d");
    EventRecorder recorder = new EventRecorder(client, clock, "pod-1");
    recorder.record(key, EventReason.KeyRejected, "BADSIG");
    recorder.record(key, EventReason.KeyRejected, "BADSIG");
    clock.advance(EventRecorder.REMEMBER_FOR.minusSeconds(1));
    recorder.record(key, EventReason.KeyRejected, "BADSIG");
    assertThat(Resources.events(client, "events-d", "web").get(0).getCount()).isEqualTo(3);

    // kube-apiserver would have deleted the Event by now (--event-ttl); this mock keeps it, so
    // the forgotten count starts again from "at least 1"
    clock.advance(EventRecorder.REMEMBER_FOR);
    recorder.record(key, EventReason.KeyRejected, "BADSIG");

    assertThat(Resources.events(client, "events-d", "web").get(0).getCount()).isEqualTo(2);
  }
}
