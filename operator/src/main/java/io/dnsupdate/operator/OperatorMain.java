package io.dnsupdate.operator;

import io.dnsupdate.cli.UsageException;
import io.dnsupdate.operator.runtime.CdsTraining;
import io.dnsupdate.operator.runtime.OperatorOptions;
import io.dnsupdate.operator.runtime.RunningOperator;
import io.dnsupdate.operator.runtime.Startup;

/**
 * Entry point of the operator process: {@code java -jar dnsupdate-operator.jar [--flag=value ...]}.
 * Configuration comes from flags over the environment variables of CONTRACTS.md ({@code
 * WATCH_NAMESPACES}, {@code LEADER_ELECTION}, {@code POD_NAMESPACE}, {@code HTTP_PORT}, {@code
 * LOG_LEVEL}); {@code --help} lists them all.
 */
public final class OperatorMain {
  private OperatorMain() {}

  /**
   * Starts everything (API client, reconcilers, leader election, health and metrics server) and
   * returns once the informers are synced. Used by {@link #main} and, in-process, by tests.
   *
   * <p>With leader election on, JOSDK first checks access to Leases with a SelfSubjectRulesReview
   * (allowed to every authenticated user by Kubernetes' {@code system:basic-user}); a mock API
   * server must answer it, or run with {@code --leader-election=false}.
   *
   * @param args flags, e.g. {@code --kubeconfig=/path --http-port=0 --leader-election=false}
   * @return the running operator; close it to stop
   * @throws UsageException for a bad flag or environment variable
   */
  public static RunningOperator start(String[] args) {
    return Startup.start(OperatorOptions.parse(args, System.getenv()), System.getenv());
  }

  /**
   * Starts, then blocks until SIGTERM or the loss of the leader Lease; with {@code --cds-training},
   * makes a dry start for the class-data archive and exits.
   */
  public static void main(String[] args) {
    RunningOperator running;
    try {
      OperatorOptions options = OperatorOptions.parse(args, System.getenv());
      if (options.cdsTraining()) {
        CdsTraining.run(options, System.getenv());
        System.exit(0);
        return;
      }
      running = Startup.start(options, System.getenv());
    } catch (UsageException e) {
      if (e.helpRequested()) {
        System.out.print(e.getMessage());
      } else {
        System.err.println("dnsupdate-operator: " + e.getMessage().strip());
      }
      System.exit(e.exitCode());
      return;
    } catch (RuntimeException e) {
      Startup.logFailure(e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "shutdown"));
    int code;
    try {
      code = running.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = 1;
    }
    running.close();
    System.exit(code);
  }
}
