package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.e2e.acme.DnsChallenge;
import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.e2e.demo.DemoOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole mission, end to end: real named, real Pebble, the real operator and webhook started
 * through their entry points; only the Kubernetes API (fabric8's mock) and cert-manager (acme4j
 * plus the front-proxy calls kube-apiserver would make) are stand-ins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertificateIssuanceIT {
  @TempDir static Path work;

  static LocalStack stack;
  static DemoFlow flow;
  static DnsUpdateIssuer issuer;

  @BeforeAll
  static void start() throws Exception {
    DemoOptions options =
        DemoOptions.parse(new String[] {"--out=" + work.resolve("out")}, Map.of());
    stack = LocalStack.start(work, StepLog.quiet(), options);
    flow = new DemoFlow(stack, new StepLog(System.out), options);
    issuer = flow.setUp(null, null);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void issuesACertificateForApexWildcardAndSubdomainAndLeavesNoRecordBehind() throws Exception {
    IssuedChain chain = flow.issue(issuer, flow.domains());

    X509Certificate leaf = chain.leaf();
    assertThat(DemoFlow.sans(leaf))
        .containsExactlyInAnyOrder("example.test", "*.example.test", "a.b.example.test");
    leaf.checkValidity();
    X509Certificate top = chain.chain().get(chain.chain().size() - 1);
    top.verify(stack.pebble().rootCertificates().get(0).getPublicKey());
    assertThat(leaf.getPublicKey()).isEqualTo(chain.keyPair().getPublic());
    assertThat(flow.leftoverChallengeRecords()).isEmpty();

    List<Path> files = DemoFlow.write(chain, work.resolve("out"));
    assertThat(Files.readString(files.get(0))).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.getPosixFilePermissions(files.get(1)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  @Order(2)
  void domainOutsideThePolicyFailsClearlyAndTheZoneIsUnchanged() throws Exception {
    List<String> before = stack.nameserver().named().recordStrings("example.test.");
    WebhookSolver solver =
        new WebhookSolver(stack.frontProxy(), DemoFlow.NAMESPACE, issuer.getMetadata().getName());
    // whole labels: notexample.test is not under example.test
    DnsChallenge outside =
        new DnsChallenge(
            "notexample.test",
            "_acme-challenge.notexample.test.",
            "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0",
            false);

    assertThatThrownBy(() -> solver.present(outside))
        .isInstanceOf(WebhookSolver.SolverException.class)
        .hasMessageContaining("_acme-challenge.notexample.test")
        .hasMessageContaining("example.test");

    assertThat(stack.nameserver().named().recordStrings("example.test.")).isEqualTo(before);
  }

  /** Last: by now both components have done everything the flow needs of the API server. */
  @Test
  @Order(3)
  void everyApiCallOfTheOperatorAndTheWebhookIsGrantedByTheChart() {
    ChartGrants.assertEveryCallGranted(stack);
  }
}
