package io.dnsupdate.operator.runtime;

import io.dnsupdate.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's configuration: each setting from its flag, else its environment variable, else the
 * default. Environment variables are those of CONTRACTS.md, set by the Helm chart.
 *
 * @param kubeconfig kubeconfig file; empty to let fabric8 find the configuration (in-cluster
 *     service account, $KUBECONFIG, ~/.kube/config)
 * @param watchNamespaces namespaces to watch; empty for all
 * @param leaderElection whether to elect a leader through a Lease before reconciling
 * @param leaseNamespace namespace of the Lease; empty for the client's namespace
 * @param leaseName name of the Lease
 * @param httpAddress address of the health and metrics server
 * @param httpPort its port; 0 for any free port
 * @param logLevel level of the operator's own loggers
 * @param probeInterval time between probes of a working DnsUpdateIssuer
 * @param retryInterval time before probing a failing DnsUpdateIssuer again
 * @param recheckInterval time between reads of a Secret a TsigKey imports from (not watched)
 */
public record OperatorOptions(
    Optional<Path> kubeconfig,
    Set<String> watchNamespaces,
    boolean leaderElection,
    Optional<String> leaseNamespace,
    String leaseName,
    String httpAddress,
    int httpPort,
    String logLevel,
    Duration probeInterval,
    Duration retryInterval,
    Duration recheckInterval) {

  public static final String DEFAULT_LEASE_NAME = "dnsupdate-operator";
  public static final int DEFAULT_HTTP_PORT = 8080;

  private static final List<Option> OPTIONS =
      List.of(
          new Option(
              "kubeconfig", null, null, "kubeconfig file (default: in-cluster or $KUBECONFIG)"),
          new Option("watch-namespaces", "WATCH_NAMESPACES", "", "comma list; empty = all"),
          new Option("leader-election", "LEADER_ELECTION", "true", "elect a leader via a Lease"),
          new Option("lease-namespace", "POD_NAMESPACE", null, "namespace of the Lease"),
          new Option("lease-name", "LEASE_NAME", DEFAULT_LEASE_NAME, "name of the Lease"),
          new Option(
              "http-address", "HTTP_ADDRESS", "0.0.0.0", "address of /healthz /readyz /metrics"),
          new Option(
              "http-port", "HTTP_PORT", "8080", "port of /healthz /readyz /metrics (0: any)"),
          new Option("log-level", "LOG_LEVEL", "info", "trace, debug, info, warn or error"),
          new Option(
              "probe-interval", "PROBE_INTERVAL", "5m", "between probes of a working issuer"),
          new Option(
              "retry-interval",
              "RETRY_INTERVAL",
              "30s",
              "longest wait before re-probing a failing issuer"),
          new Option(
              "recheck-interval", "RECHECK_INTERVAL", "1m", "between reads of imported Secrets"));

  private record Option(String flag, String env, String fallback, String help) {}

  public OperatorOptions {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    watchNamespaces = Set.copyOf(watchNamespaces);
    Objects.requireNonNull(leaseNamespace, "leaseNamespace");
  }

  /**
   * Reads flags ({@code --name=value} or {@code --name value}) over environment variables.
   *
   * @throws UsageException naming the bad flag or variable, or for {@code --help}
   */
  public static OperatorOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        throw UsageException.help();
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      int eq = arg.indexOf('=');
      String name = eq > 0 ? arg.substring(2, eq) : arg.substring(2);
      if (OPTIONS.stream().noneMatch(o -> o.flag.equals(name))) {
        throw new UsageException("unknown flag --" + name);
      }
      if (eq < 0 && i + 1 >= args.length) {
        throw new UsageException("flag --" + name + " needs a value");
      }
      flags.put(name, eq > 0 ? arg.substring(eq + 1) : args[++i]);
    }
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (Option o : OPTIONS) {
      String v = flags.get(o.flag);
      String source = "--" + o.flag;
      if (v == null && o.env != null && env.get(o.env) != null && !env.get(o.env).isBlank()) {
        v = env.get(o.env);
        source = o.env;
      }
      if (v == null) {
        v = o.fallback;
        source = "default of --" + o.flag;
      }
      values.put(o.flag, v == null ? null : v.strip());
      sources.put(o.flag, source);
    }
    Set<String> namespaces = new LinkedHashSet<>();
    for (String ns : values.get("watch-namespaces").split(",")) {
      if (!ns.isBlank()) {
        namespaces.add(ns.strip());
      }
    }
    return new OperatorOptions(
        Optional.ofNullable(values.get("kubeconfig")).filter(s -> !s.isBlank()).map(Path::of),
        namespaces,
        bool(values.get("leader-election"), sources.get("leader-election")),
        Optional.ofNullable(values.get("lease-namespace")).filter(s -> !s.isBlank()),
        values.get("lease-name"),
        values.get("http-address"),
        port(values.get("http-port"), sources.get("http-port")),
        level(values.get("log-level"), sources.get("log-level")),
        duration(values.get("probe-interval"), sources.get("probe-interval")),
        duration(values.get("retry-interval"), sources.get("retry-interval")),
        duration(values.get("recheck-interval"), sources.get("recheck-interval")));
  }

  /** The usage text printed for {@code --help} and after a usage error. */
  public static String usage() {
    StringBuilder out = new StringBuilder("usage: dnsupdate-operator [--flag=value ...]\n");
    for (Option o : OPTIONS) {
      out.append(String.format("  --%-18s %-18s %s", o.flag, o.env == null ? "" : o.env, o.help));
      if (o.fallback != null && !o.fallback.isEmpty()) {
        out.append(" (default ").append(o.fallback).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static boolean bool(String v, String source) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new UsageException(source + ": '" + v + "' is not true or false");
    };
  }

  private static int port(String v, String source) {
    try {
      int p = Integer.parseInt(v);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new UsageException(source + ": '" + v + "' is not a port (0-65535)");
    }
  }

  private static String level(String v, String source) {
    String l = v.toLowerCase(Locale.ROOT);
    if (!List.of("trace", "debug", "info", "warn", "error").contains(l)) {
      throw new UsageException(
          source + ": '" + v + "' is not a log level (trace, debug, info, warn, error)");
    }
    return l;
  }

  private static Duration duration(String v, String source) {
    try {
      Duration d = Durations.parse(v);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("'" + v + "' is not positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UsageException(source + ": " + e.getMessage());
    }
  }
}
