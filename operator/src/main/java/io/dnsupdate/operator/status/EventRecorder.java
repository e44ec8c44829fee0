package io.dnsupdate.operator.status;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events about our resources. An Event's name is derived from the object, reason
 * and message, so repeating the same news raises its {@code count} instead of adding objects.
 * Recording never fails a reconciliation: API errors are logged and dropped.
 */
public class EventRecorder {
  /** {@code source.component} and {@code reportingComponent} of every Event. */
  public static final String COMPONENT = "dnsupdate-operator";

  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  /** Events whose count is remembered. */
  private static final int MAX_REMEMBERED = 1024;

  /**
   * A count is forgotten this long after the Event was last written: kube-apiserver deletes Events
   * that long after their last update (its default {@code --event-ttl}), and a create then starts
   * again at 1.
   */
  static final Duration REMEMBER_FOR = Duration.ofHours(1);

  private static final int MAX_OBJECT_NAME = 200;

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  private final Cache<String, Integer> counts;

  /**
   * @param instance this process's name for {@code reportingInstance} (the pod name)
   */
  public EventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.instance = instance == null || instance.isBlank() ? COMPONENT : instance;
    this.counts =
        Caffeine.newBuilder()
            .maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(REMEMBER_FOR)
            .ticker(Caches.ticker(clock))
            .build();
  }

  /** Records an Event about {@code object}; the message must hold no secret. */
  public void record(HasMetadata object, EventReason reason, String message) {
    String note = SafeMessages.truncate(message);
    String namespace = object.getMetadata().getNamespace();
    String name = eventName(object, reason, note);
    String now =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withName(object.getMetadata().getName())
            .withNamespace(namespace)
            .withUid(object.getMetadata().getUid())
            .endInvolvedObject()
            .withReason(reason.name())
            .withMessage(note)
            .withType(reason.type().text())
            .withCount(1)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withReportingInstance(instance)
            .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
      remember(name, 1);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        repeat(namespace, name, now);
      } else {
        log.warn(
            "event={} object={}/{} not recorded: HTTP {}",
            reason,
            namespace,
            object.getMetadata().getName(),
            e.getCode());
      }
    }
    log.info(
        "event={} type={} object={}/{} kind={} message=\"{}\"",
        reason,
        reason.type().text(),
        namespace,
        object.getMetadata().getName(),
        object.getKind(),
        note);
  }

  private void repeat(String namespace, String name, String now) {
    int count = remembered(name) + 1;
    String patch = repeatPatch(count, now);
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      remember(name, count);
    } catch (KubernetesClientException e) {
      log.warn("event {}/{} not updated: HTTP {}", namespace, name, e.getCode());
    }
  }

  /** A JSON merge patch of what a repeat changes, and nothing else (no kind or apiVersion). */
  static String repeatPatch(int count, String now) {
    return Serialization.asJson(
        new EventBuilder()
            .withApiVersion(null)
            .withKind(null)
            .withCount(count)
            .withLastTimestamp(now)
            .build());
  }

  private int remembered(String name) {
    // after a restart, or REMEMBER_FOR, the count is unknown; the Event exists, so at least 1
    return Objects.requireNonNullElse(counts.getIfPresent(name), 1);
  }

  private void remember(String name, int count) {
    counts.put(name, count);
  }

  /** {@code <object>.<16 hex digits of SHA-256 over uid, reason and message>}. */
  static String eventName(HasMetadata object, EventReason reason, String message) {
    String objectName = object.getMetadata().getName();
    if (objectName.length() > MAX_OBJECT_NAME) {
      objectName = objectName.substring(0, MAX_OBJECT_NAME);
    }
    String input =
        Objects.toString(object.getMetadata().getUid(), objectName)
            + "\n"
            + reason.name()
            + "\n"
            + message;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
      return objectName + "." + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
