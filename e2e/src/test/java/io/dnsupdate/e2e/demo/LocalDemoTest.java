package io.dnsupdate.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's answers that start nothing: help, usage errors, an output directory in use. */
class LocalDemoTest {
  @TempDir Path tempRoot;
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return LocalDemo.run(
        args,
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        tempRoot,
        false);
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    assertThat(run("-h")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: scripts/demo.sh");
    assertThat(err.size()).isZero();
  }

  @Test
  void aBadPortIsAUsageErrorBeforeAnythingStarts() throws Exception {
    Path outDir = dir.resolve("out");

    int status =
        run("--nameserver", "127.0.0.1:70000", "--domain", "example.com", "--out", outDir + "");

    assertThat(status).isEqualTo(DemoOptions.USAGE_ERROR).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("demo: --nameserver: nameserver '127.0.0.1:70000': port '70000'")
        .doesNotContain("Exception");
    assertThat(out.size()).isZero();
    assertThat(entries(tempRoot)).as("no temporary directory was created").isZero();
    assertThat(outDir).doesNotExist();
  }

  @Test
  void aSecondDemoOnTheSameOutputIsRefusedBeforeAnythingStarts() throws Exception {
    Path outDir = dir.resolve("out");
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("fullchain.pem"), "the first demo's");

    try (OutputClaim first = OutputClaim.claim(outDir)) {
      int status = run("--out=" + outDir);

      assertThat(status).isEqualTo(LocalDemo.FAILED);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("another demo is writing to " + outDir.toAbsolutePath())
          .contains("--out DIR");
    }
    assertThat(entries(tempRoot)).isZero();
    assertThat(outDir.resolve("fullchain.pem")).hasContent("the first demo's");
  }

  private static long entries(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
