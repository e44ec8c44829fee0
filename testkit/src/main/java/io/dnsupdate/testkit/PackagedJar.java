package io.dnsupdate.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

  /** The {@code java} launcher running this test. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
