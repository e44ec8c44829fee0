package io.dnsupdate.e2e.demo;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.e2e.DemoFlow;
import io.dnsupdate.e2e.LocalStack;
import io.dnsupdate.e2e.StepLog;
import io.dnsupdate.e2e.acme.IssuedChain;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * README command 1: issues a real certificate end to end on this machine and prints every step with
 * its duration, then leaves the certificate and key in a folder.
 */
public final class LocalDemo {
  /**
   * Exit code of a demo that ran and failed (usage errors have {@link DemoOptions#USAGE_ERROR}).
   */
  public static final int FAILED = 1;

  private LocalDemo() {}

  public static void main(String[] args) {
    int status =
        run(
            args,
            System.getenv(),
            System.out,
            System.err,
            Path.of(System.getProperty("java.io.tmpdir")),
            true);
    // the operator's and the mock server's non-daemon threads must not keep the JVM alive
    System.exit(status);
  }

  /**
   * Runs the demo and returns its exit code: 0 when a certificate was issued and no challenge
   * record was left, {@value DemoOptions#USAGE_ERROR} for a usage error (nothing started), 1
   * otherwise.
   *
   * @param tempRoot where the demo's temporary directory goes (removed at the end unless --keep)
   * @param logToFile send the operator's and webhook's logs to a file in that directory, not the
   *     terminal; only for a JVM of its own (logging is configured once per JVM, so a test that set
   *     this would send every later test's logs to a removed file)
   */
  public static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      Path tempRoot,
      boolean logToFile) {
    if (DemoOptions.wantsHelp(args)) {
      out.print(DemoOptions.USAGE);
      return 0;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, env);
    } catch (IllegalArgumentException e) {
      err.println("demo: " + e.getMessage().strip());
      return DemoOptions.USAGE_ERROR;
    }
    try (OutputClaim claim = OutputClaim.claim(options.out())) {
      return runClaimed(options, out, err, tempRoot, logToFile);
    } catch (OutputClaim.Busy e) {
      err.println("demo: " + e.getMessage());
      return FAILED;
    } catch (IOException e) {
      err.println("demo: cannot use " + options.out().toAbsolutePath() + ": " + e);
      return FAILED;
    }
  }

  private static int runClaimed(
      DemoOptions options, PrintStream out, PrintStream err, Path tempRoot, boolean logToFile)
      throws IOException {
    Path work = Files.createTempDirectory(tempRoot, "dnsupdate-demo-");
    // Ctrl-C ends the JVM without reaching the finally below: the hook still removes the
    // directory, which holds kubeconfigs, TLS keys and the TSIG key clause
    Thread hook = new Thread(() -> removeUnlessKept(work, options, null), "demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    Path componentLog = work.resolve("components.log");
    if (logToFile) {
      // before the first logger exists: component logs go to a file, the steps to the terminal
      System.setProperty("dnsupdate.demo.log", componentLog.toString());
      System.setProperty("logback.configurationFile", "demo-logback.xml");
    }
    StepLog log = new StepLog(out);
    out.println("dnsupdate-operator demo: ACME dns-01 via TSIG-signed RFC 2136 UPDATE");
    if (options.keep() && logToFile) {
      out.println("operator and webhook logs: " + componentLog);
    }
    int status;
    try (LocalStack stack = LocalStack.start(work, log, options)) {
      DemoFlow flow = new DemoFlow(stack, log, options);
      DnsUpdateIssuer issuer = flow.setUp(null, null);
      IssuedChain chain = flow.issue(issuer, flow.domains());
      List<Path> files = DemoFlow.write(chain, options.out());
      List<String> left = flow.leftoverChallengeRecords();
      log.done(
          left.isEmpty()
              ? "records cleaned up: no _acme-challenge TXT record left in the zone"
              : "LEFT BEHIND: " + left);
      out.println();
      out.println("certificate: " + files.get(0).toAbsolutePath());
      out.println("private key: " + files.get(1).toAbsolutePath());
      out.printf("total: %.1f s%n", log.total().toMillis() / 1000.0);
      status = left.isEmpty() ? 0 : FAILED;
    } catch (Exception e) {
      err.println("demo failed: " + e.getMessage());
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        err.println("  caused by: " + c);
      }
      if (!options.keep() && logToFile) {
        err.println(
            "  the operator's and webhook's log is removed with the temporary directory;"
                + " run again with --keep to read it");
      }
      status = FAILED;
    }
    removeUnlessKept(work, options, out);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs, and finds the directory gone
    }
    return status;
  }

  private static void removeUnlessKept(Path work, DemoOptions options, PrintStream out) {
    if (options.keep()) {
      if (out != null) {
        out.println(
            "kept "
                + work
                + " (kubeconfigs, TLS keys, the TSIG key clause, components.log):"
                + " remove it when done");
      }
      return;
    }
    deleteTree(work);
  }

  /** Removes a directory and everything in it; a missing directory is fine. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + dir, e);
    }
  }
}
