package io.dnsupdate.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.RepositoryFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/demo.sh as a user runs it: help and usage errors answer without Maven (a stand-in {@code
 * mvn} first on PATH records any call) and with the demo's own exit code.
 */
class DemoScriptTest {
  // the first call compiles the options class with javac; a Maven build takes minutes
  private static final long DEADLINE_SECONDS = 60;

  @TempDir Path bin;
  private Path mavenCalled;

  /** What the script printed and returned. */
  record Result(int exit, String stdout, String stderr) {}

  @BeforeEach
  void fakeMaven() throws Exception {
    mavenCalled = bin.resolve("mvn-was-called");
    Path mvn = bin.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\ntouch '" + mavenCalled + "'\nexit 97\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void helpAnswersWithoutMaven() throws Exception {
    for (String flag : List.of("--help", "-h")) {
      Result r = script(flag);

      assertThat(r.exit()).as(flag).isZero();
      assertThat(r.stdout()).as(flag).startsWith("usage: scripts/demo.sh").contains("--key-wait");
      assertThat(r.stderr()).as(flag).isEmpty();
    }
    assertThat(mavenCalled).doesNotExist();
  }

  @Test
  void aBadFlagExitsTwoWithTheDemosOwnMessageOnly() throws Exception {
    Result r = script("--nameserver", "127.0.0.1:99999", "--domain", "example.com");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .startsWith("demo: --nameserver: nameserver '127.0.0.1:99999': port '99999'")
        .contains("usage: scripts/demo.sh")
        .doesNotContain("Exception")
        .doesNotContain("\u001b[");
    assertThat(r.stdout()).isEmpty();
    assertThat(mavenCalled).doesNotExist();
  }

  private Result script(String... args) throws Exception {
    Path root = RepositoryFiles.find("scripts").getParent();
    List<String> command = new ArrayList<>(List.of(root.resolve("scripts/demo.sh").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(bin, "out", ".txt");
    Path err = Files.createTempFile(bin, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(bin.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    try {
      assertThat(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
          .as("scripts/demo.sh %s answered within %ss", String.join(" ", args), DEADLINE_SECONDS)
          .isTrue();
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
