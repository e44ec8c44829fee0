package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the memory benchmarks read of a process: resident and peak resident set ({@code VmRSS},
 * {@code VmHWM} in {@code /proc/<pid>/status}), its thread count, and the JVM's own accounts
 * through {@code jcmd} (native memory tracking, when the process runs with it).
 */
public final class ProcessMemory {
  private ProcessMemory() {}

  /** Resident set now, MiB; -1 once the process is gone. */
  public static long rssMiB(long pid) {
    return statusKiB(pid, "VmRSS") / 1024;
  }

  /**
   * Peak resident set since the process started (the kernel's high-water mark), MiB; -1 once the
   * process is gone.
   */
  public static long peakRssMiB(long pid) {
    return statusKiB(pid, "VmHWM") / 1024;
  }

  /** Threads of the process now; -1 once it is gone. */
  public static long threads(long pid) {
    if (!Files.isDirectory(Path.of("/proc", String.valueOf(pid), "task"))) {
      return -1;
    }
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      return tasks.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** -1 once the process is gone. */
  /**
   * Threads by name with digits dropped ({@code /proc/<pid>/task/<tid>/comm}, 15 characters at
   * most), most first: which pools hold the threads.
   */
  public static java.util.Map<String, Long> threadNames(long pid) {
    java.util.Map<String, Long> names = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path t : tasks.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "#");
          names.merge(name, 1L, Long::sum);
        } catch (IOException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return names;
    }
    java.util.Map<String, Long> sorted = new java.util.LinkedHashMap<>();
    names.entrySet().stream()
        .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static long statusKiB(long pid, String field) {
    if (!Files.exists(Path.of("/proc", String.valueOf(pid), "status"))) {
      return -1024;
    }
    try {
      for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (l.startsWith(field + ":")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no " + field + " for process " + pid);
  }

  /**
   * Where a JVM's memory goes, for a benchmark's report (the JVM must run with {@code
   * -XX:NativeMemoryTracking=summary}): thread names, the native memory summary, the heap, and the
   * largest classes of a class histogram with its total. The histogram is taken first: it collects
   * fully, so the heap figures are the live set, while committed sizes still show the load's peak.
   */
  public static String diagnosis(long pid) {
    List<String> histogram = jcmd(pid, "GC.class_histogram").lines().toList();
    return "threads "
        + threadNames(pid)
        + "\n"
        + jcmd(pid, "VM.native_memory", "summary")
        + "\n"
        + jcmd(pid, "GC.heap_info")
        + "\n"
        + String.join("\n", histogram.subList(0, Math.min(400, histogram.size())))
        + "\n...\n"
        + (histogram.isEmpty() ? "" : histogram.get(histogram.size() - 1))
        + "\n";
  }

  /**
   * {@code jcmd <pid> <command...>} with the {@code jcmd} beside the running {@code java}: e.g.
   * {@code VM.native_memory summary} or {@code GC.class_histogram}. Its output, or why it failed.
   */
  public static String jcmd(long pid, String... command) {
    Path java = Path.of(PackagedJar.java());
    Path jcmd = java.resolveSibling("jcmd");
    List<String> args = new java.util.ArrayList<>();
    args.add(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd");
    args.add(String.valueOf(pid));
    args.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor(60, TimeUnit.SECONDS);
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "jcmd failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "jcmd interrupted";
    }
  }
}
