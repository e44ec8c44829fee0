package io.dnsupdate.e2e;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints each step of the flow with the time it took, so the demo shows where time goes. Steps may
 * end on several threads (challenges are presented concurrently).
 */
public final class StepLog {
  /** One finished step. */
  public record Step(String name, Duration took) {}

  private final PrintStream out;
  private final List<Step> steps = new ArrayList<>();
  private long started = System.nanoTime();

  public StepLog(PrintStream out) {
    this.out = out;
  }

  /** A log that prints nothing (tests keep their output for failures). */
  public static StepLog quiet() {
    return new StepLog(null);
  }

  /** Marks the end of the step that began at the previous mark. */
  public synchronized void done(String name) {
    long now = System.nanoTime();
    Step step = new Step(name, Duration.ofNanos(now - started));
    started = now;
    steps.add(step);
    if (out != null) {
      out.printf(Locale.ROOT, "[%8.3f s] %s%n", step.took().toNanos() / 1e9, name);
    }
  }

  /** A detail line under the current step, not timed. */
  public void detail(String text) {
    if (out != null) {
      out.println("             " + text);
    }
  }

  public synchronized List<Step> steps() {
    return List.copyOf(steps);
  }

  public synchronized Duration total() {
    return steps.stream().map(Step::took).reduce(Duration.ZERO, Duration::plus);
  }
}
