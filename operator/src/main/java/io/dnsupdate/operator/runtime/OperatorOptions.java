package io.dnsupdate.operator.runtime;

import io.dnsupdate.cli.CommandLine;
import io.dnsupdate.cli.Flag;
import io.dnsupdate.cli.FlagValues;
import io.dnsupdate.cli.UsageException;
import io.dnsupdate.logging.LogLevels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
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
 * @param cdsTraining start without an API server and exit, for the image's class-data archive
 *     ({@link CdsTraining})
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
    Duration recheckInterval,
    boolean cdsTraining) {

  public static final String DEFAULT_LEASE_NAME = "dnsupdate-operator";
  public static final int DEFAULT_HTTP_PORT = 8080;

  private static final CommandLine COMMAND_LINE =
      new CommandLine(
          "usage: dnsupdate-operator [--flag value ...]",
          List.of(
              Flag.of(
                  "kubeconfig",
                  "PATH",
                  null,
                  null,
                  "kubeconfig file; default: in-cluster, $KUBECONFIG or ~/.kube/config"),
              Flag.of("watch-namespaces", "LIST", "WATCH_NAMESPACES", "", "comma list; empty: all"),
              Flag.of("leader-election", "BOOL", "LEADER_ELECTION", "true", "elect a leader"),
              Flag.of("lease-namespace", "NAME", "POD_NAMESPACE", null, "namespace of the Lease"),
              Flag.of("lease-name", "NAME", "LEASE_NAME", DEFAULT_LEASE_NAME, "name of the Lease"),
              Flag.of(
                  "http-address",
                  "ADDRESS",
                  "HTTP_ADDRESS",
                  "0.0.0.0",
                  "address of /healthz /readyz /metrics"),
              Flag.of(
                  "http-port",
                  "PORT",
                  "HTTP_PORT",
                  String.valueOf(DEFAULT_HTTP_PORT),
                  "port of /healthz /readyz /metrics; 0: any free port"),
              Flag.of(
                  "log-level",
                  "LEVEL",
                  "LOG_LEVEL",
                  "info",
                  "level of the operator's own loggers: " + String.join(", ", LogLevels.NAMES)),
              Flag.of(
                  "probe-interval",
                  "DURATION",
                  "PROBE_INTERVAL",
                  "5m",
                  "between probes of a working issuer"),
              Flag.of(
                  "retry-interval",
                  "DURATION",
                  "RETRY_INTERVAL",
                  "30s",
                  "longest wait before re-probing a failing issuer"),
              Flag.of(
                  "recheck-interval",
                  "DURATION",
                  "RECHECK_INTERVAL",
                  "1m",
                  "between reads of imported Secrets"),
              Flag.toggle(
                  "cds-training",
                  "start without an API server and exit: what the image build runs under"
                      + " -XX:ArchiveClassesAtExit for its class-data archive")));

  public OperatorOptions {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    watchNamespaces = Set.copyOf(watchNamespaces);
    Objects.requireNonNull(leaseNamespace, "leaseNamespace");
  }

  /**
   * Reads flags ({@code --name value} or {@code --name=value}) over environment variables.
   *
   * @throws UsageException naming every bad flag or variable, or for {@code --help}
   */
  public static OperatorOptions parse(String[] args, Map<String, String> env) {
    FlagValues v = COMMAND_LINE.parse(args, env);
    Set<String> namespaces = new LinkedHashSet<>();
    for (String ns : v.text("watch-namespaces").split(",")) {
      if (!ns.isBlank()) {
        namespaces.add(ns.strip());
      }
    }
    OperatorOptions options =
        new OperatorOptions(
            Optional.ofNullable(v.text("kubeconfig")).filter(s -> !s.isBlank()).map(Path::of),
            namespaces,
            v.bool("leader-election"),
            Optional.ofNullable(v.text("lease-namespace")).filter(s -> !s.isBlank()),
            v.text("lease-name"),
            v.text("http-address"),
            v.integer("http-port", 0, 65535),
            v.oneOf("log-level", LogLevels.NAMES),
            v.positiveDuration("probe-interval"),
            v.positiveDuration("retry-interval"),
            v.positiveDuration("recheck-interval"),
            v.isSet("cds-training"));
    v.check();
    return options;
  }

  /** The usage text printed for {@code --help}. */
  public static String usage() {
    return COMMAND_LINE.usage();
  }
}
