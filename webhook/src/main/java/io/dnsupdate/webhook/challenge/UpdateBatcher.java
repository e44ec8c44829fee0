package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.TxtChange;
import io.dnsupdate.dns.UpdateResult;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * Coalesces concurrent TXT changes bound for the same nameserver, key and zone into one UPDATE
 * message (group commit): the first change of an idle lane waits a few milliseconds for company;
 * changes arriving while a message is in flight go out together as soon as it returns; a message
 * carries at most {@code maxChanges}. Each caller gets its own outcome: when the server refuses a
 * message (REFUSED, e.g. one name outside the key's update-policy), it is split in halves and sent
 * again, down to single changes, so one bad name cannot fail the others. RFC 2136 applies a message
 * all or nothing, and adding a present value or deleting an absent one succeeds, so a batch is as
 * safe as single updates. With a zero window every change is sent on its own, in the caller's
 * thread.
 */
public final class UpdateBatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UpdateBatcher.class);

  /** Sends one UPDATE message: {@code DnsUpdateClient::apply}. */
  @FunctionalInterface
  public interface Sender {
    UpdateResult apply(Name zone, List<TxtChange> changes) throws DnsUpdateException;
  }

  private final Duration window;
  private final int maxChanges;
  private final WebhookMetrics metrics;
  private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final ExecutorService senders;

  /**
   * @param window how long the first change of an idle lane waits; zero disables coalescing
   * @param maxChanges most changes in one message
   */
  public UpdateBatcher(Duration window, int maxChanges, WebhookMetrics metrics) {
    if (maxChanges < 1) {
      throw new IllegalArgumentException("maxChanges must be at least 1");
    }
    this.window = window;
    this.maxChanges = maxChanges;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "update-batch-timer"));
    this.senders =
        Executors.newCachedThreadPool(r -> daemon(r, "update-batch-" + n.incrementAndGet()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** True when changes are coalesced. */
  public boolean batching() {
    return !window.isZero();
  }

  /**
   * Applies one change, possibly in a message shared with other changes of the same lane.
   *
   * @param lane identifies nameserver, transport, key and zone: changes with equal lanes share
   *     messages, and any of their senders may carry them
   * @param timeout how long to wait for the outcome
   * @throws DnsUpdateException this change's outcome, as if it had been sent alone
   */
  public UpdateResult apply(
      Object lane, Sender sender, Name zone, TxtChange change, Duration timeout)
      throws DnsUpdateException {
    if (!batching()) {
      return send(sender, zone, List.of(change));
    }
    Pending p = new Pending(change);
    lanes.compute(
        lane,
        (k, l) -> {
          Lane target = l == null ? new Lane(k, sender, zone) : l;
          target.enqueue(p);
          return target;
        });
    try {
      return p.result.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DnsUpdateException d) {
        throw d;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      p.result.cancel(false);
      throw new DnsUpdateException(
          FailureReason.NameserverUnreachable,
          "no answer to the UPDATE of zone '" + zone + "' within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      // the caller is gone: a change still queued leaves with no message
      p.result.cancel(false);
      Thread.currentThread().interrupt();
      throw new DnsUpdateException(FailureReason.NameserverUnreachable, "interrupted", e);
    }
  }

  /** Sends one message and counts it. */
  private UpdateResult send(Sender sender, Name zone, List<TxtChange> changes)
      throws DnsUpdateException {
    try {
      UpdateResult r = sender.apply(zone, changes);
      metrics.dnsUpdate(changes.size(), null);
      return r;
    } catch (DnsUpdateException e) {
      metrics.dnsUpdate(changes.size(), e.reason().name());
      throw e;
    }
  }

  /** Changes waiting for a message, over all lanes (tests observe the queue with it). */
  int queued() {
    return lanes.values().stream().mapToInt(Lane::size).sum();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    senders.shutdownNow();
  }

  private static final class Pending {
    final TxtChange change;
    final CompletableFuture<UpdateResult> result = new CompletableFuture<>();

    Pending(TxtChange change) {
      this.change = change;
    }
  }

  /** One nameserver+key+zone: a queue and at most one message in flight. */
  private final class Lane {
    private final Object key;
    private final Sender sender;
    private final Name zone;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private boolean inFlight;
    private boolean scheduled;

    Lane(Object key, Sender sender, Name zone) {
      this.key = key;
      this.sender = sender;
      this.zone = zone;
    }

    synchronized int size() {
      return queue.size();
    }

    /** Called inside {@code lanes.compute}: the lane cannot be removed meanwhile. */
    synchronized void enqueue(Pending p) {
      queue.add(p);
      if (inFlight) {
        return; // goes out when the message in flight returns
      }
      if (queue.size() >= maxChanges) {
        startFlight();
      } else if (!scheduled) {
        scheduled = true;
        timer.schedule(this::windowClosed, window.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    private synchronized void windowClosed() {
      scheduled = false;
      if (!inFlight && !queue.isEmpty()) {
        startFlight();
      }
    }

    /** Takes up to maxChanges (skipping callers that gave up) and sends them on a sender thread. */
    private void startFlight() {
      List<Pending> batch = new ArrayList<>();
      while (!queue.isEmpty() && batch.size() < maxChanges) {
        Pending p = queue.poll();
        if (!p.result.isDone()) {
          batch.add(p);
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      inFlight = true;
      senders.execute(() -> fly(batch));
    }

    private void fly(List<Pending> batch) {
      try {
        deliver(batch);
      } catch (RuntimeException e) {
        log.error("sending a batch of {} change(s) failed unexpectedly", batch.size(), e);
        batch.forEach(p -> p.result.completeExceptionally(e));
      } finally {
        landed();
      }
    }

    /**
     * Sends the batch; a refused batch is split in halves and each half sent again, down to single
     * changes, so refused names fail alone and the others still share few messages (about two per
     * halving for one bad name, instead of one per change).
     */
    private void deliver(List<Pending> batch) {
      List<TxtChange> changes = batch.stream().map(p -> p.change).toList();
      try {
        UpdateResult r = send(sender, zone, changes);
        batch.forEach(p -> p.result.complete(r));
      } catch (DnsUpdateException e) {
        if (!splittable(e.reason()) || batch.size() == 1) {
          batch.forEach(p -> p.result.completeExceptionally(e));
          return;
        }
        log.debug("zone {}: {} change(s) refused together; splitting", zone, batch.size());
        int half = batch.size() / 2;
        deliver(batch.subList(0, half));
        deliver(batch.subList(half, batch.size()));
      }
    }

    /**
     * Refused messages are split; so are messages the server answered NOERROR without applying all
     * (PowerDNS applies the permitted records and skips the rest): sent again in halves, the
     * applied changes are no-ops, and only the refused ones fail.
     */
    private boolean splittable(FailureReason reason) {
      return reason == FailureReason.UpdateRefused || reason == FailureReason.UpdateNotApplied;
    }

    /** The message returned: send what queued up meanwhile, or retire the lane. */
    private void landed() {
      lanes.computeIfPresent(
          key,
          (k, l) -> {
            synchronized (l) {
              l.inFlight = false;
              if (!l.queue.isEmpty()) {
                l.startFlight();
              }
              return l.inFlight || l.scheduled || !l.queue.isEmpty() ? l : null;
            }
          });
    }
  }
}
