package io.dnsupdate.cluster;

import io.dnsupdate.testkit.PackagedJar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of our components or cert-manager's as a process of its own, the way its image runs it: the
 * packaged jar with its lib/ folder ({@code java -jar}) or a Go binary, output to a log file.
 */
final class ComponentProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private volatile boolean stopped;

  private ComponentProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * {@code java @<module>/jvm.options -jar <module>/target/dnsupdate-<module>.jar}, as the image
   * runs it, with the given environment.
   */
  static ComponentProcess jar(String module, String name, Map<String, String> env, Path logDir) {
    return start(name, PackagedJar.of(module).command(), env, logDir);
  }

  static ComponentProcess start(
      String name, List<String> command, Map<String, String> env, Path logDir) {
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    try {
      return new ComponentProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Gone without being stopped: it crashed or exited on its own. */
  boolean exitedOnItsOwn() {
    return !stopped && !process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** The whole log so far. */
  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of the log, for failure messages. */
  String tail(int lines) {
    List<String> all = new ArrayList<>(output().lines().toList());
    return "--- "
        + name
        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
        + "\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** SIGTERM, as the kubelet stops a container, then SIGKILL after the grace period. */
  @Override
  public void close() {
    stopped = true;
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
