package io.dnsupdate.webhook.runtime;

import io.dnsupdate.cli.CommandLine;
import io.dnsupdate.cli.Flag;
import io.dnsupdate.cli.FlagValues;
import io.dnsupdate.cli.UsageException;
import io.dnsupdate.logging.LogLevels;
import io.dnsupdate.webhook.server.ServingLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The webhook's settings, from {@code --flag=value} arguments over environment variables over
 * defaults (CONTRACTS.md names the environment variables the chart sets).
 *
 * @param tlsCertFile PEM serving certificate chain, leaf first ({@code TLS_CERT_FILE})
 * @param tlsKeyFile PEM private key of the leaf ({@code TLS_KEY_FILE})
 * @param bindAddress address to listen on ({@code BIND_ADDRESS}, default every address)
 * @param httpsPort port to listen on; 0 picks a free one ({@code HTTPS_PORT})
 * @param requestHeaderNamespace namespace of the request-header ConfigMap
 * @param requestHeaderName name of the request-header ConfigMap ({@code REQUESTHEADER_CONFIGMAP} is
 *     {@code namespace/name})
 * @param logLevel level of our own loggers, lower case ({@code LOG_LEVEL}, see {@link LogLevels})
 * @param kubeconfig kubeconfig file, or null for fabric8's auto-configuration (in-cluster service
 *     account, {@code KUBECONFIG}, {@code ~/.kube/config})
 * @param batchWindow how long the first change of an idle lane (zone, key and nameserver) waits for
 *     others to share its UPDATE message; zero (the default) sends it at once and coalesces only
 *     what arrives while a message is in flight; null ({@code off}) sends every change alone
 *     ({@code BATCH_WINDOW})
 * @param batchMaxChanges most changes in one UPDATE message ({@code BATCH_MAX_CHANGES})
 * @param authorizationCacheTtl how long a SubjectAccessReview decision is reused
 * @param startupWait how long {@code start} waits for the caches to fill before returning
 * @param limits timeouts, connection and challenge caps of the HTTPS endpoint, shutdown grace
 * @param cdsTraining start without an API server and exit, for the image's class-data archive
 */
public record WebhookConfig(
    Path tlsCertFile,
    Path tlsKeyFile,
    String bindAddress,
    int httpsPort,
    String requestHeaderNamespace,
    String requestHeaderName,
    String logLevel,
    Path kubeconfig,
    Duration batchWindow,
    int batchMaxChanges,
    Duration authorizationCacheTtl,
    Duration startupWait,
    ServingLimits limits,
    boolean cdsTraining) {

  public static final String DEFAULT_CERT_FILE = "/tls/tls.crt";
  public static final String DEFAULT_KEY_FILE = "/tls/tls.key";
  public static final int DEFAULT_PORT = 8443;
  public static final String DEFAULT_REQUEST_HEADER_CONFIGMAP =
      "kube-system/extension-apiserver-authentication";
  public static final Duration DEFAULT_BATCH_WINDOW = Duration.ZERO;
  public static final int DEFAULT_BATCH_MAX_CHANGES = 1000;

  /** Above this, one message risks exceeding what nameservers accept in one UPDATE. */
  public static final int MAX_BATCH_CHANGES = 1000;

  private static final CommandLine COMMAND_LINE =
      new CommandLine(
          "usage: dnsupdate-webhook [--flag value ...]",
          List.of(
              Flag.of(
                  "tls-cert-file",
                  "PATH",
                  "TLS_CERT_FILE",
                  DEFAULT_CERT_FILE,
                  "serving certificate chain (PEM), leaf first"),
              Flag.of(
                  "tls-key-file", "PATH", "TLS_KEY_FILE", DEFAULT_KEY_FILE, "serving key (PEM)"),
              Flag.of("bind-address", "ADDRESS", "BIND_ADDRESS", "0.0.0.0", "address to listen on"),
              Flag.of(
                  "https-port",
                  "PORT",
                  "HTTPS_PORT",
                  String.valueOf(DEFAULT_PORT),
                  "port to listen on; 0: any free port"),
              Flag.of(
                  "requestheader-configmap",
                  "NAMESPACE/NAME",
                  "REQUESTHEADER_CONFIGMAP",
                  DEFAULT_REQUEST_HEADER_CONFIGMAP,
                  "kube-apiserver's request-header ConfigMap"),
              Flag.of(
                  "log-level",
                  "LEVEL",
                  "LOG_LEVEL",
                  "info",
                  "level of the webhook's own loggers: " + String.join(", ", LogLevels.NAMES)),
              Flag.of(
                  "kubeconfig",
                  "PATH",
                  null,
                  null,
                  "kubeconfig file; default: in-cluster, $KUBECONFIG or ~/.kube/config"),
              Flag.of(
                  "batch-window",
                  "DURATION",
                  "BATCH_WINDOW",
                  "0",
                  "time the first change of an idle zone waits to share an UPDATE; 0: none (what"
                      + " arrives while an UPDATE is in flight still shares the next); off: one"
                      + " UPDATE per change; at most 1s"),
              Flag.of(
                  "batch-max-changes",
                  "COUNT",
                  "BATCH_MAX_CHANGES",
                  String.valueOf(DEFAULT_BATCH_MAX_CHANGES),
                  "most changes per UPDATE message, 1-"
                      + MAX_BATCH_CHANGES
                      + " (messages also stay below 60,000 bytes and 100 values per name)"),
              Flag.of(
                  "authorization-cache-ttl",
                  "DURATION",
                  "AUTHORIZATION_CACHE_TTL",
                  "5s",
                  "reuse of SubjectAccessReview decisions"),
              Flag.of(
                  "startup-wait",
                  "DURATION",
                  "STARTUP_WAIT",
                  "30s",
                  "wait for caches before serving"),
              Flag.of(
                  "handshake-timeout",
                  "DURATION",
                  "HANDSHAKE_TIMEOUT",
                  "10s",
                  "a TLS handshake must end this soon after the connection is accepted"),
              Flag.of(
                  "header-timeout",
                  "DURATION",
                  "HEADER_TIMEOUT",
                  "10s",
                  "a connection's first request headers must arrive this soon after the handshake"),
              Flag.of(
                  "body-timeout",
                  "DURATION",
                  "BODY_TIMEOUT",
                  "10s",
                  "a request body must arrive this soon after its headers"),
              Flag.of(
                  "idle-timeout",
                  "DURATION",
                  "IDLE_TIMEOUT",
                  "120s",
                  "a connection without a request is closed after this long (kube-apiserver keeps"
                      + " idle connections 90s)"),
              Flag.of(
                  "max-connections",
                  "COUNT",
                  "MAX_CONNECTIONS",
                  String.valueOf(ServingLimits.DEFAULT_MAX_CONNECTIONS),
                  "connections open at once; more wait in the listen backlog"),
              Flag.of(
                  "max-handshakes",
                  "COUNT",
                  "MAX_HANDSHAKES",
                  String.valueOf(ServingLimits.DEFAULT_MAX_HANDSHAKES),
                  "TLS handshakes under way at once (each holds buffers and state); more"
                      + " ClientHellos wait unread (a handshake keeps its place at most a tenth"
                      + " of the handshake timeout)"),
              Flag.of(
                  "max-challenges",
                  "COUNT",
                  "MAX_CHALLENGES",
                  String.valueOf(ServingLimits.DEFAULT_MAX_CHALLENGES),
                  "challenges in progress at once; more get 429 with Retry-After"),
              Flag.of(
                  "shutdown-grace",
                  "DURATION",
                  "SHUTDOWN_GRACE",
                  "60s",
                  "on SIGTERM, how long challenges in progress may take to finish; keep it below"
                      + " the pod's terminationGracePeriodSeconds"),
              Flag.toggle(
                  "cds-training",
                  "start without an API server and exit: what the image build runs under"
                      + " -XX:ArchiveClassesAtExit for its class-data archive")));

  public WebhookConfig {
    Objects.requireNonNull(tlsCertFile, "tlsCertFile");
    Objects.requireNonNull(tlsKeyFile, "tlsKeyFile");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(requestHeaderNamespace, "requestHeaderNamespace");
    Objects.requireNonNull(requestHeaderName, "requestHeaderName");
    Objects.requireNonNull(authorizationCacheTtl, "authorizationCacheTtl");
    Objects.requireNonNull(startupWait, "startupWait");
    Objects.requireNonNull(limits, "limits");
  }

  /**
   * Reads the flags ({@code --name value} or {@code --name=value}), then the environment, then the
   * defaults.
   *
   * @throws UsageException naming every unknown flag and bad value, with the usage; or carrying the
   *     usage for {@code --help}
   */
  public static WebhookConfig parse(String[] args, Map<String, String> env) {
    FlagValues v = COMMAND_LINE.parse(args, env);
    Duration window = "off".equals(v.text("batch-window")) ? null : v.duration("batch-window");
    if (window != null && window.compareTo(Duration.ofSeconds(1)) > 0) {
      v.problem("batch-window", "at most 1s (every challenge of the batch waits that long)");
    }
    String[] nsName =
        v.read(
            "requestheader-configmap",
            new String[] {"kube-system", "extension-apiserver-authentication"},
            WebhookConfig::namespaceAndName);
    String kubeconfig = v.text("kubeconfig");
    ServingLimits limits =
        new ServingLimits(
            v.positiveDuration("handshake-timeout"),
            v.positiveDuration("header-timeout"),
            v.positiveDuration("body-timeout"),
            v.positiveDuration("idle-timeout"),
            v.integer("max-connections", 1, 1_000_000),
            v.integer("max-handshakes", 1, 1_000_000),
            v.integer("max-challenges", 1, 10_000),
            v.duration("shutdown-grace"));
    WebhookConfig config =
        new WebhookConfig(
            Path.of(v.text("tls-cert-file")),
            Path.of(v.text("tls-key-file")),
            v.text("bind-address"),
            v.integer("https-port", 0, 65535),
            nsName[0],
            nsName[1],
            v.oneOf("log-level", LogLevels.NAMES),
            kubeconfig == null ? null : Path.of(kubeconfig),
            window,
            v.integer("batch-max-changes", 1, MAX_BATCH_CHANGES),
            v.duration("authorization-cache-ttl"),
            v.duration("startup-wait"),
            limits,
            v.isSet("cds-training"));
    v.check();
    return config;
  }

  /** The usage text: one entry per flag with its environment variable, default and meaning. */
  public static String usage() {
    return COMMAND_LINE.usage();
  }

  private static String[] namespaceAndName(String text) {
    String[] nsName = text.split("/", -1);
    if (nsName.length != 2 || nsName[0].isBlank() || nsName[1].isBlank()) {
      throw new IllegalArgumentException("'" + text + "' is not namespace/name");
    }
    return nsName;
  }
}
