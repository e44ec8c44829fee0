package io.dnsupdate.webhook.runtime;

import io.dnsupdate.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * @param logLevel root log level, or null to keep the logging configuration's ({@code LOG_LEVEL})
 * @param kubeconfig kubeconfig file, or null for fabric8's auto-configuration (in-cluster service
 *     account, {@code KUBECONFIG}, {@code ~/.kube/config})
 * @param batchWindow how long the first change waits for others of the same zone, key and
 *     nameserver to share its UPDATE message; zero sends every change alone ({@code BATCH_WINDOW})
 * @param batchMaxChanges most changes in one UPDATE message ({@code BATCH_MAX_CHANGES})
 * @param authorizationCacheTtl how long a SubjectAccessReview decision is reused
 * @param startupWait how long {@code start} waits for the caches to fill before returning
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
    Duration startupWait) {

  public static final String DEFAULT_CERT_FILE = "/tls/tls.crt";
  public static final String DEFAULT_KEY_FILE = "/tls/tls.key";
  public static final int DEFAULT_PORT = 8443;
  public static final String DEFAULT_REQUEST_HEADER_CONFIGMAP =
      "kube-system/extension-apiserver-authentication";
  public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(3);
  public static final int DEFAULT_BATCH_MAX_CHANGES = 100;

  /** Above this, one message risks exceeding what nameservers accept in one UPDATE. */
  public static final int MAX_BATCH_CHANGES = 1000;

  private static final List<Option> OPTIONS =
      List.of(
          new Option("tls-cert-file", "TLS_CERT_FILE", DEFAULT_CERT_FILE, "serving certificate"),
          new Option("tls-key-file", "TLS_KEY_FILE", DEFAULT_KEY_FILE, "serving key (PEM)"),
          new Option("bind-address", "BIND_ADDRESS", "0.0.0.0", "address to listen on"),
          new Option("https-port", "HTTPS_PORT", String.valueOf(DEFAULT_PORT), "0 = any free"),
          new Option(
              "requestheader-configmap",
              "REQUESTHEADER_CONFIGMAP",
              DEFAULT_REQUEST_HEADER_CONFIGMAP,
              "namespace/name of kube-apiserver's request-header ConfigMap"),
          new Option("log-level", "LOG_LEVEL", null, "TRACE, DEBUG, INFO, WARN or ERROR"),
          new Option(
              "kubeconfig", null, null, "default: in-cluster, $KUBECONFIG or ~/.kube/config"),
          new Option(
              "batch-window",
              "BATCH_WINDOW",
              "3ms",
              "time a change waits to share an UPDATE; 0 = no coalescing"),
          new Option(
              "batch-max-changes",
              "BATCH_MAX_CHANGES",
              String.valueOf(DEFAULT_BATCH_MAX_CHANGES),
              "most changes per UPDATE message"),
          new Option(
              "authorization-cache-ttl",
              "AUTHORIZATION_CACHE_TTL",
              "5s",
              "reuse of SubjectAccessReview decisions"),
          new Option("startup-wait", "STARTUP_WAIT", "30s", "wait for caches before serving"));

  public WebhookConfig {
    Objects.requireNonNull(tlsCertFile, "tlsCertFile");
    Objects.requireNonNull(tlsKeyFile, "tlsKeyFile");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(requestHeaderNamespace, "requestHeaderNamespace");
    Objects.requireNonNull(requestHeaderName, "requestHeaderName");
    Objects.requireNonNull(batchWindow, "batchWindow");
    Objects.requireNonNull(authorizationCacheTtl, "authorizationCacheTtl");
    Objects.requireNonNull(startupWait, "startupWait");
  }

  /**
   * Reads the flags, then the environment, then the defaults.
   *
   * @throws IllegalArgumentException naming every unknown flag and bad value, with the usage
   */
  public static WebhookConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        problems.add("'" + arg + "' is not of the form --name=value");
        continue;
      }
      String name = arg.substring(2, arg.indexOf('='));
      if (OPTIONS.stream().noneMatch(o -> o.flag.equals(name))) {
        problems.add("unknown flag --" + name);
        continue;
      }
      flags.put(name, arg.substring(arg.indexOf('=') + 1));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Option o : OPTIONS) {
      String v = flags.get(o.flag);
      if (v == null && o.env != null) {
        v = env.get(o.env);
      }
      if (v == null || v.isBlank()) {
        v = o.defaultValue;
      }
      values.put(o.flag, v == null ? null : v.strip());
    }

    int port = integer(values, "https-port", 0, 65535, problems);
    int maxChanges = integer(values, "batch-max-changes", 1, MAX_BATCH_CHANGES, problems);
    Duration window = duration(values, "batch-window", problems);
    Duration ttl = duration(values, "authorization-cache-ttl", problems);
    Duration startupWait = duration(values, "startup-wait", problems);
    if (window != null && window.compareTo(Duration.ofSeconds(1)) > 0) {
      problems.add("--batch-window: at most 1s (every challenge of the batch waits that long)");
    }

    String cm = values.get("requestheader-configmap");
    String[] nsName = cm.split("/", -1);
    if (nsName.length != 2 || nsName[0].isBlank() || nsName[1].isBlank()) {
      problems.add("--requestheader-configmap: '" + cm + "' is not namespace/name");
      nsName = new String[] {"kube-system", "extension-apiserver-authentication"};
    }

    String level = values.get("log-level");
    if (level != null) {
      level = level.toUpperCase(Locale.ROOT);
      if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level)) {
        problems.add("--log-level: '" + values.get("log-level") + "' is not a log level");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems) + "\n" + usage());
    }
    String kubeconfig = values.get("kubeconfig");
    return new WebhookConfig(
        Path.of(values.get("tls-cert-file")),
        Path.of(values.get("tls-key-file")),
        values.get("bind-address"),
        port,
        nsName[0],
        nsName[1],
        level,
        kubeconfig == null ? null : Path.of(kubeconfig),
        window,
        maxChanges,
        ttl,
        startupWait);
  }

  /** One line per flag: name, environment variable, default and meaning. */
  public static String usage() {
    StringBuilder out = new StringBuilder("usage: dnsupdate-webhook [--flag=value ...]\n");
    for (Option o : OPTIONS) {
      out.append(
          String.format(
              Locale.ROOT,
              "  --%-26s env %-24s default %-12s %s%n",
              o.flag + "=",
              o.env == null ? "-" : o.env,
              o.defaultValue == null ? "-" : o.defaultValue,
              o.help));
    }
    return out.toString();
  }

  private static int integer(
      Map<String, String> values, String flag, int min, int max, List<String> problems) {
    String v = values.get(flag);
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      problems.add("--" + flag + ": '" + v + "' is not a number in " + min + "-" + max);
      return min;
    }
  }

  private static Duration duration(Map<String, String> values, String flag, List<String> problems) {
    String v = values.get(flag);
    if ("0".equals(v)) {
      return Duration.ZERO;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      problems.add("--" + flag + ": " + e.getMessage());
      return Duration.ZERO;
    }
  }

  private record Option(String flag, String env, String defaultValue, String help) {}
}
