package io.dnsupdate.operator.testing;

import static org.awaitility.Awaitility.await;

import io.dnsupdate.operator.runtime.OperatorRuntime;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The real JOSDK operator, wired as in production, against fabric8's mock API server in CRUD mode
 * with our CRDs applied. Each fixture has its own API client, so it can be stopped and another
 * started against the same server (an operator restart).
 */
public final class OperatorFixture implements AutoCloseable {
  /** Intervals short enough for tests to watch re-probes and re-reads happen. */
  public static final Duration PROBE_INTERVAL = Duration.ofSeconds(3);

  public static final Duration RETRY_INTERVAL = Duration.ofMillis(500);
  public static final Duration RECHECK_INTERVAL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final Operator operator;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private OperatorFixture(KubernetesClient client, OperatorRuntime.Settings settings) {
    this.client = client;
    this.operator = OperatorRuntime.create(client, settings, meters, null);
    operator.start();
  }

  /** Starts an operator watching all namespaces, with the short test intervals. */
  public static OperatorFixture start(KubernetesMockServer server) {
    return start(server, settings(Clock.systemUTC()));
  }

  /**
   * Starts an operator watching all namespaces whose API client gives up on a 5xx answer at once:
   * fabric8 otherwise retries it for about 20 s itself, before the operator sees the failure.
   */
  public static OperatorFixture startWithoutClientRetries(KubernetesMockServer server) {
    return new OperatorFixture(
        server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig()),
        settings(Clock.systemUTC()));
  }

  /** Starts an operator with the given settings. */
  public static OperatorFixture start(KubernetesMockServer server, OperatorRuntime.Settings s) {
    return new OperatorFixture(server.createClient(), s);
  }

  /** Test settings: all namespaces, short intervals, the given clock. */
  public static OperatorRuntime.Settings settings(Clock clock) {
    return settings(clock, PROBE_INTERVAL, RETRY_INTERVAL);
  }

  /**
   * Test settings with the given issuer intervals; long ones prove that a re-probe seen in a test
   * was caused by a watch, not by a timer.
   */
  public static OperatorRuntime.Settings settings(Clock clock, Duration probe, Duration retry) {
    return new OperatorRuntime.Settings(
        clock, new SecureRandom(), Set.of(), probe, retry, RECHECK_INTERVAL, "test-operator");
  }

  /** A TCP port on 127.0.0.1 where nothing listens (connections are refused). */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies every CRD in the repository's crds/ directory. */
  public static void applyCrds(KubernetesClient client) {
    Path dir = Path.of(System.getProperty("dnsupdate.crdDir", "../crds"));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.yml")) {
      for (Path file : files) {
        try (InputStream in = Files.newInputStream(file)) {
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .load(in)
              .createOr(r -> r.update());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading CRDs from " + dir.toAbsolutePath(), e);
    }
  }

  /** Creates a namespace (the mock server does not need it, but events and listings read well). */
  public static String namespace(KubernetesClient client, String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .createOr(r -> r.update());
    return name;
  }

  public KubernetesClient client() {
    return client;
  }

  public Operator operator() {
    return operator;
  }

  public SimpleMeterRegistry meters() {
    return meters;
  }

  /** Waits up to {@code timeout} for the operator to have started its informers. */
  public OperatorFixture awaitStarted(Duration timeout) {
    await().atMost(timeout).until(() -> operator.getRuntimeInfo().allEventSourcesAreHealthy());
    return this;
  }

  @Override
  public void close() {
    // stops reconciling and closes this fixture's own client
    operator.stop();
  }
}
