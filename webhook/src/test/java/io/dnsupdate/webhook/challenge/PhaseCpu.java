package io.dnsupdate.webhook.challenge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the 2 cores went during one of WebhookBenchmark's phases, from Linux's {@code /proc}: this
 * JVM per thread group (the ThreadMXBean sees Java threads only, not the JIT compiler, GC and VM
 * threads), named, the Maven process that forked this JVM (surefire's reader of its stdout, which
 * carries each challenge's INFO line), and the machine as a whole ({@code /proc/stat}: what none of
 * these used went to other work on the machine, or was idle). In clock ticks (10 ms); a thread's
 * count is rounded down, so a group of many short-lived threads (the webhook's {@code https-*}
 * workers) is under-counted: the ThreadMXBean figures are the webhook's; this is for the rest.
 * Threads that end within a phase drop out. Empty elsewhere.
 */
final class PhaseCpu {
  private static final double MS_PER_TICK = 10;

  /**
   * The nearest other java process above this one: Maven, which forked surefire's JVM (through a
   * shell, so not always the parent); -1 if none.
   */
  private static final long MAVEN =
      ProcessHandle.current()
          .parent()
          .flatMap(
              p ->
                  p.info().command().orElse("").endsWith("java")
                      ? java.util.Optional.of(p)
                      : p.parent())
          .filter(p -> p.info().command().orElse("").endsWith("java"))
          .map(ProcessHandle::pid)
          .orElse(-1L);

  /** Thread id to name (digits dropped, so a pool is one group) and user+system ticks so far. */
  private final Map<String, Map.Entry<String, Long>> threads;

  private final long named;
  private final long parent;

  /** {@code /proc/stat}'s first line: all CPUs' ticks, busy and idle. */
  private final long machineBusy;

  private final long machineAll;

  private PhaseCpu(
      Map<String, Map.Entry<String, Long>> threads,
      long named,
      long parent,
      long machineBusy,
      long machineAll) {
    this.threads = threads;
    this.named = named;
    this.parent = parent;
    this.machineBusy = machineBusy;
    this.machineAll = machineAll;
  }

  static PhaseCpu now(long namedPid) {
    Map<String, Map.Entry<String, Long>> out = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String[] stat = stat(t.resolve("stat"));
        if (stat != null) {
          out.put(
              t.getFileName().toString(),
              Map.entry(stat[0].replaceAll("[0-9]+", "N"), ticks(stat)));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc here
    }
    long busy = 0;
    long all = 0;
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      for (int i = 1;
          i < f.length && i <= 8;
          i++) { // user nice system idle iowait irq softirq steal
        long v = Long.parseLong(f[i]);
        all += v;
        busy += i == 4 || i == 5 ? 0 : v;
      }
    } catch (IOException | RuntimeException e) {
      // no /proc here
    }
    return new PhaseCpu(out, processTicks(namedPid), processTicks(MAVEN), busy, all);
  }

  /** The name and the fields after it of a {@code stat} file; null if it is gone. */
  private static String[] stat(Path file) {
    try {
      String s = Files.readString(file);
      int close = s.lastIndexOf(')');
      String[] rest = s.substring(close + 2).split(" ");
      String[] out = new String[rest.length + 1];
      out[0] = s.substring(s.indexOf('(') + 1, close);
      System.arraycopy(rest, 0, out, 1, rest.length);
      return out;
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }

  /** utime + stime (fields 14 and 15 of stat; 12 and 13 after the name). */
  private static long ticks(String[] stat) {
    return Long.parseLong(stat[12]) + Long.parseLong(stat[13]);
  }

  private static long processTicks(long pid) {
    String[] stat = pid > 0 ? stat(Path.of("/proc", Long.toString(pid), "stat")) : null;
    return stat == null ? 0 : ticks(stat);
  }

  /**
   * "machine busy X% of the CPUs' time, named N ms, Maven M ms; this JVM by thread group: name ms,
   * ..." (the {@code top} largest groups; Linux cuts thread names to 15 characters, "C2
   * CompilerThre").
   */
  String since(PhaseCpu before, int top) {
    Map<String, Long> byName = new HashMap<>();
    threads.forEach(
        (tid, now) -> {
          Map.Entry<String, Long> was = before.threads.get(tid);
          long delta = now.getValue() - (was == null ? 0 : was.getValue());
          if (delta > 0) {
            byName.merge(now.getKey(), delta, Long::sum);
          }
        });
    String groups =
        byName.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(top)
            .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() * MS_PER_TICK))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "machine busy %.0f%% of all CPUs' time; named %.0f ms, Maven (surefire's stdout reader)"
            + " %.0f ms; this JVM by thread group, ms: %s",
        100.0 * (machineBusy - before.machineBusy) / Math.max(1, machineAll - before.machineAll),
        (named - before.named) * MS_PER_TICK,
        (parent - before.parent) * MS_PER_TICK,
        groups);
  }
}
