package io.dnsupdate.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A packaged component ({@code <module>/target/dnsupdate-<module>.jar} with its lib/ folder) and
 * the command its image runs it with: {@code java @<module>/jvm.options -jar ...}, the JVM flags
 * the image ships in {@code /app/jvm.options}. Tests and benchmarks that start the jars use this,
 * so that what they measure is what ships.
 */
public record PackagedJar(Path jar, Path jvmOptions) {

  /** The packaged jar of {@code module} ("operator" or "webhook"); fails when not built yet. */
  public static PackagedJar of(String module) {
    Path jar =
        RepositoryFiles.find(module + "/target/dnsupdate-" + module + ".jar").toAbsolutePath();
    if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
      throw new IllegalStateException(
          jar + " or its lib/ is missing: build with `mvn package` (the reactor does it first)");
    }
    return new PackagedJar(jar, RepositoryFiles.find(module + "/jvm.options").toAbsolutePath());
  }

  /** The image's command: the shipped JVM flags, then {@code extraJvmArgs}, then the jar. */
  public List<String> command(List<String> extraJvmArgs) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("@" + jvmOptions);
    command.addAll(extraJvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  /** {@link #command(List)} without extra flags. */
  public List<String> command() {
    return command(List.of());
  }

  /**
   * Writes the class-data-sharing archive the module's image ships, the way its Dockerfile does:
   * {@code scripts/cds-archive.sh} with this jar, its JVM flags file and {@link #java()}.
   *
   * @param log where the script's output goes
   * @return the JVM flags the image adds to run with the archive
   * @throws IllegalStateException when the script fails
   */
  public List<String> writeCdsArchive(Path archive, Path log)
      throws IOException, InterruptedException {
    Path script = RepositoryFiles.find("scripts/cds-archive.sh").toAbsolutePath();
    ProcessBuilder builder =
        new ProcessBuilder(
                "sh", script.toString(), jar.toString(), jvmOptions.toString(), archive.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("JAVA", java());
    Process p = builder.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(script + " did not end within 120 s");
    }
    if (p.exitValue() != 0 || !Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          script + " failed (exit " + p.exitValue() + "): " + Files.readString(log));
    }
    return List.of("-XX:SharedArchiveFile=" + archive);
  }

  /** The {@code java} launcher running this test. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
