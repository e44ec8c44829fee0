package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the installed DNS and ACME tools and keeps track of the servers this JVM started. */
public final class Commands {

  // Debian puts named, rndc and tsig-keygen in /usr/sbin, which a non-root PATH often lacks.
  private static final List<String> FALLBACK_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin");

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    // A test JVM that dies without closing its fixtures must not leave servers behind; only the
    // processes this JVM started (by their own handle) are ended.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(p -> p.toHandle().destroyForcibly()), "testkit-reaper"));
  }

  private Commands() {}

  /** Absolute path of a tool, searched in PATH and then the system binary directories. */
  public static String executable(String name) {
    if (name.contains("/")) {
      if (Files.isExecutable(Path.of(name))) {
        return name;
      }
      throw new IllegalStateException(name + " is not an executable file");
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(FALLBACK_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        name + " is not installed (searched PATH and " + FALLBACK_DIRS + ")");
  }

  /** Runs a command to completion with the given standard input, failing after the timeout. */
  public static CommandResult run(List<String> command, String stdin, Duration timeout) {
    return run(command, Map.of(), stdin, timeout);
  }

  /**
   * {@link #run(List, String, Duration)} with extra environment variables for the child only (e.g.
   * {@code KRB5_CONFIG}: never the test JVM's own environment).
   */
  public static CommandResult run(
      List<String> command, Map<String, String> env, String stdin, Duration timeout) {
    List<String> cmd = new ArrayList<>(command);
    cmd.set(0, executable(cmd.get(0)));
    Path out = null;
    try {
      // Output goes to a file, not a pipe: a chatty tool can then never block on a full pipe.
      out = Files.createTempFile("testkit-cmd", ".out");
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(
            cmd + " did not finish within " + timeout + ":\n" + Files.readString(out));
      }
      return new CommandResult(p.exitValue(), Files.readString(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /** Runs a command with no input and a 30 s limit. */
  public static CommandResult run(String... command) {
    return run(List.of(command), null, Duration.ofSeconds(30));
  }

  static void track(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
  }

  /** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
  static void terminate(Process p, Duration grace) {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines of a log file, for failure messages. */
  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(no " + file + ")";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** Text appended to a file since the given byte offset. */
  static String since(Path file, long offset) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      byte[] all = Files.readAllBytes(file);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True with {@code -Ddnsupdate.testkit.keep=true}: work directories stay for a post-mortem. */
  public static boolean keepWorkDirs() {
    return Boolean.getBoolean("dnsupdate.testkit.keep");
  }

  /** Removes a directory tree, best effort (a test's temp files may be gone already). */
  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: temp dirs are cleaned by the OS eventually
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
