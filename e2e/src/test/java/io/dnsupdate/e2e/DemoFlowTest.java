package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.e2e.demo.DemoOptions;
import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the flow that need no running stack: what a user reads and what is written. */
class DemoFlowTest {
  private static final DemoOptions YOURS =
      DemoOptions.parse(
          new String[] {
            "--nameserver", "127.0.0.1:5353", "--domain", "example.com", "--out", "/tmp/certs"
          },
          Map.of());

  @Nested
  class NotReady {
    private final Condition unreachable =
        new ConditionBuilder()
            .withType("Ready")
            .withStatus("False")
            .withReason("NameserverUnreachable")
            .withMessage("no answer from 127.0.0.1:5353 over TCP: connection refused")
            .build();

    @Test
    void saysTheReasonTheMessageAndTheNextStepOnOneShortLine() {
      String text =
          DemoFlow.notReady(
              "DnsUpdateIssuer", "example-com", Duration.ofSeconds(5), unreachable, YOURS);

      assertThat(text)
          .startsWith("DnsUpdateIssuer default/example-com not Ready after 5s: ")
          .contains("NameserverUnreachable: no answer from 127.0.0.1:5353 over TCP")
          .contains("next: check that 127.0.0.1:5353 is running")
          .doesNotContain("PT5S")
          .doesNotContain("\n");
      assertThat(text.length()).isLessThan(300);
    }

    @Test
    void aRejectedKeyPointsAtTheFileToLoad() {
      Condition rejected =
          new ConditionBuilder(unreachable).withReason("KeyRejected").withMessage("BADKEY").build();

      assertThat(DemoFlow.notReady("DnsUpdateIssuer", "x", Duration.ofMinutes(10), rejected, YOURS))
          .contains("not Ready after 10m: KeyRejected: BADKEY")
          .contains("/tmp/certs/nameserver-config.conf")
          .contains("--key-wait");
    }

    @Test
    void noConditionYet() {
      assertThat(DemoFlow.notReady("TsigKey", "k", Duration.ofSeconds(60), null, YOURS))
          .isEqualTo(
              "TsigKey default/k not Ready after 1m: no Ready condition yet; next: read the"
                  + " operator's log (run again with --keep to keep it)");
    }
  }

  @Nested
  class Write {
    @TempDir Path dir;

    @Test
    void replacesBothFilesKeyOwnerOnlyAndLeavesNoTemporaryFile() throws Exception {
      Files.writeString(dir.resolve("fullchain.pem"), "old");
      Files.writeString(dir.resolve("privkey.pem"), "old");

      List<Path> files = DemoFlow.write(chain(), dir);

      assertThat(files).containsExactly(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"));
      assertThat(Files.readString(files.get(0))).startsWith("-----BEGIN CERTIFICATE-----");
      assertThat(Files.readString(files.get(1))).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(1))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))))
          .isEqualTo("rw-r--r--");
      try (Stream<Path> all = Files.list(dir)) {
        assertThat(all.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("fullchain.pem", "privkey.pem");
      }
    }

    private IssuedChain chain() {
      TestPki ca = TestPki.newCa("demo-test-ca");
      IssuedCertificate leaf = ca.issueServer("example.test", List.of("example.test"), List.of());
      return new IssuedChain(
          List.of(leaf.certificate(), leaf.issuer()),
          new KeyPair(leaf.certificate().getPublicKey(), leaf.privateKey()));
    }
  }
}
