package io.dnsupdate.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo failing as it does for a user whose nameserver does not answer: the real operator and
 * webhook start, the issuer never becomes Ready, and the demo says why in one line and leaves no
 * temporary directory behind. Nothing outside 127.0.0.1 is contacted: the "nameserver" is a closed
 * port there and the ACME directory is never reached.
 */
class LocalDemoIT {
  @TempDir Path tempRoot;
  @TempDir Path dir;

  @Test
  void anUnreachableNameserverIsExplainedAndTheTemporaryDirectoryRemoved() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status =
        LocalDemo.run(
            new String[] {
              "--nameserver", "127.0.0.1:1",
              "--domain", "example.com",
              "--acme-directory", "https://127.0.0.1:1/dir",
              "--key-wait", "3s",
              "--out", dir.resolve("out").toString()
            },
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            tempRoot,
            false);

    String stdout = out.toString(StandardCharsets.UTF_8);
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertThat(status).as(stdout + stderr).isEqualTo(LocalDemo.FAILED);
    assertThat(stdout).contains("waiting up to 3s for it to accept the key").doesNotContain("PT");
    List<String> failure = stderr.lines().toList();
    assertThat(failure.get(0))
        .startsWith("demo failed: DnsUpdateIssuer default/example-com not Ready after 3s: ")
        .contains("; next: ")
        .doesNotContain("spec=")
        .doesNotContain("PT3S");
    assertThat(failure.get(0).length()).as(failure.get(0)).isLessThan(400);
    try (Stream<Path> left = Files.list(tempRoot)) {
      assertThat(left).as("the dnsupdate-demo-* directory is removed").isEmpty();
    }
  }
}
