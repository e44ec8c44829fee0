package io.dnsupdate.e2e.demo;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.e2e.DemoFlow;
import io.dnsupdate.e2e.LocalStack;
import io.dnsupdate.e2e.StepLog;
import io.dnsupdate.e2e.acme.IssuedChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * README command 1: issues a real certificate end to end on this machine and prints every step with
 * its duration, then leaves the certificate and key in a folder.
 */
public final class LocalDemo {
  private LocalDemo() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help")) {
      System.out.println(DemoOptions.USAGE);
      return;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path work = Files.createTempDirectory("dnsupdate-demo-");
    // before the first logger exists: component logs go to a file, the steps to the terminal
    Path componentLog = work.resolve("components.log");
    System.setProperty("dnsupdate.demo.log", componentLog.toString());
    System.setProperty("logback.configurationFile", "demo-logback.xml");
    StepLog log = new StepLog(System.out);
    System.out.println("dnsupdate-operator demo: ACME dns-01 via TSIG-signed RFC 2136 UPDATE");
    System.out.println("operator and webhook logs: " + componentLog);
    int status = 0;
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
      System.out.println();
      System.out.println("certificate: " + files.get(0).toAbsolutePath());
      System.out.println("private key: " + files.get(1).toAbsolutePath());
      System.out.printf("total: %.1f s%n", log.total().toMillis() / 1000.0);
      status = left.isEmpty() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("demo failed: " + e.getMessage());
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        System.err.println("  caused by: " + c);
      }
      status = 1;
    }
    // the operator's and the mock server's non-daemon threads must not keep the JVM alive
    System.exit(status);
  }
}
