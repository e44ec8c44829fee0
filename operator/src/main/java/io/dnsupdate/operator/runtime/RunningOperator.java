package io.dnsupdate.operator.runtime;

import io.javaoperatorsdk.operator.Operator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started operator: its health, its HTTP port, and {@link #close()}. Losing the leader Lease
 * stops reconciling at once (another replica has taken over), turns {@code /healthz} to 503 and
 * ends {@link #awaitTermination()} with exit code 1, so the pod is restarted.
 */
public final class RunningOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningOperator.class);

  /** Life cycle of the process. */
  public enum State {
    STARTING,
    RUNNING,
    LEADERSHIP_LOST,
    CLOSED
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Operator operator;
  private volatile HttpEndpoints http;
  private volatile boolean leader;
  private volatile int exitCode;

  RunningOperator() {}

  void attach(Operator operator) {
    this.operator = operator;
  }

  void attach(HttpEndpoints http) {
    this.http = http;
  }

  void started() {
    state.compareAndSet(State.STARTING, State.RUNNING);
  }

  void startedLeading() {
    leader = true;
    log.info("leader election: this replica leads and reconciles");
  }

  void stoppedLeading() {
    leader = false;
    if (state.get() == State.CLOSED) {
      return;
    }
    if (state.getAndSet(State.LEADERSHIP_LOST) == State.LEADERSHIP_LOST) {
      return;
    }
    log.error("leader election: lost the lease; stopping so that only the new leader reconciles");
    exitCode = 1;
    Thread stopper =
        new Thread(
            () -> {
              stopOperator();
              done.countDown();
            },
            "leadership-lost");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** The life-cycle state. */
  public State state() {
    return state.get();
  }

  /** True while this replica holds the leader Lease (always false without leader election). */
  public boolean leader() {
    return leader;
  }

  /** Liveness: false once the lease was lost or the operator closed. */
  public boolean healthy() {
    State s = state.get();
    return s == State.STARTING || s == State.RUNNING;
  }

  /** Readiness: started, and every informer connected. */
  public boolean ready() {
    Operator o = operator;
    return state.get() == State.RUNNING
        && o != null
        && o.getRuntimeInfo().isStarted()
        && o.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** The port of {@code /healthz}, {@code /readyz} and {@code /metrics}. */
  public int httpPort() {
    return http.port();
  }

  /** The JOSDK operator, for tests. */
  public Operator operator() {
    return operator;
  }

  /**
   * Blocks until {@link #close()} or the loss of the lease.
   *
   * @return the process exit code: 0 after close, 1 after losing the lease
   */
  public int awaitTermination() throws InterruptedException {
    done.await();
    return exitCode;
  }

  /** Stops reconciling and the HTTP server and closes the API client. Idempotent. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    try {
      stopOperator();
    } finally {
      HttpEndpoints h = http;
      if (h != null) {
        h.close();
      }
      done.countDown();
    }
  }

  private void stopOperator() {
    Operator o = operator;
    if (o == null) {
      return;
    }
    try {
      o.stop();
    } catch (RuntimeException e) {
      log.warn("stopping the operator: {}", e.toString());
    }
  }
}
