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
 * Coalesces concurrent TXT changes bound for the same nameserver, key and zone into few UPDATE
 * messages (group commit), one message in flight per lane, so BIND's quota of 100 queued updates is
 * never reached. A change that finds its lane idle is sent at once, in the caller's own thread (no
 * hand-off, no waiting for company); changes arriving while a message is in flight leave together,
 * as many as {@link MessageCaps} lets into one message, as soon as it returns. An optional window
 * makes the first change of an idle lane wait for company instead; {@link #off} sends every change
 * alone, concurrently, as other solvers do.
 *
 * <p>Each caller gets its own outcome: a message the server refuses (REFUSED, e.g. one name outside
 * the key's update-policy) is split in halves and sent again, down to single changes, so one bad
 * name cannot fail the others; a message lost on its way (reset, refused connection, timeout) is
 * sent again ({@link TransportRetry}), so one reset does not fail a whole batch. RFC 2136 applies a
 * message all or nothing, and adding a present value or deleting an absent one succeeds, so a batch
 * is as safe as single updates.
 */
public final class UpdateBatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UpdateBatcher.class);

  /** Sends one UPDATE message: {@code DnsUpdateClient::apply}. */
  @FunctionalInterface
  public interface Sender {
    UpdateResult apply(Name zone, List<TxtChange> changes) throws DnsUpdateException;
  }

  private final boolean coalescing;
  private final Duration window;
  private final int maxChanges;
  private final WebhookMetrics metrics;
  private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final ExecutorService senders;

  /**
   * @param window how long the first change of an idle lane waits for company; zero sends it at
   *     once
   * @param maxChanges most changes in one message
   */
  public UpdateBatcher(Duration window, int maxChanges, WebhookMetrics metrics) {
    this(true, window, maxChanges, metrics);
  }

  /** Every change in a message of its own, sent in its caller's thread. */
  public static UpdateBatcher off(WebhookMetrics metrics) {
    return new UpdateBatcher(false, Duration.ZERO, 1, metrics);
  }

  private UpdateBatcher(
      boolean coalescing, Duration window, int maxChanges, WebhookMetrics metrics) {
    if (maxChanges < 1) {
      throw new IllegalArgumentException("maxChanges must be at least 1");
    }
    this.coalescing = coalescing;
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
    return coalescing;
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
    Pending p = new Pending(change, System.nanoTime() + timeout.toNanos());
    if (!coalescing) {
      return deliverAlone(sender, zone, p);
    }
    Lane carrier = enqueue(lane, sender, zone, p);
    if (carrier != null) {
      carrier.fly(List.of(p)); // an idle lane: this thread carries its own message
    }
    try {
      return p.result.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw DnsUpdateException.causeOf(e);
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

  /**
   * Queues the change on its lane, or returns the lane when this caller is to carry it now. The map
   * is only read on the way (a change used to wait in {@code lanes.compute} while the bin's lock
   * was held by a returning message building the next batch); it is written only to add a lane or
   * to replace one that retired meanwhile, which takes changes no more.
   */
  private Lane enqueue(Object key, Sender sender, Name zone, Pending p) {
    for (; ; ) {
      Lane l = lanes.get(key);
      if (l == null) {
        Lane fresh = new Lane(key, sender, zone);
        l = lanes.putIfAbsent(key, fresh);
        if (l == null) {
          l = fresh;
        }
      }
      switch (l.enqueue(p)) {
        case CARRY:
          return l;
        case QUEUED:
          return null;
        case RETIRED:
          lanes.remove(key, l); // its last message may not have removed it yet
          break;
        default:
          throw new IllegalStateException();
      }
    }
  }

  private UpdateResult deliverAlone(Sender sender, Name zone, Pending p) throws DnsUpdateException {
    deliver(sender, zone, List.of(p));
    try {
      return p.result.getNow(null);
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof DnsUpdateException d) {
        throw d;
      }
      throw e;
    }
  }

  /**
   * Sends the batch, again after a transport failure ({@link TransportRetry}); a refused batch is
   * split in halves and each half sent again, down to single changes, so refused names fail alone
   * and the others still share few messages (about two per halving for one bad name).
   */
  private void deliver(Sender sender, Name zone, List<Pending> batch) {
    for (int attempt = 1; ; attempt++) {
      List<Pending> waiting = batch.stream().filter(p -> !p.result.isDone()).toList();
      if (waiting.isEmpty()) {
        return; // every caller gave up: nothing is sent on their behalf
      }
      List<TxtChange> changes = waiting.stream().map(p -> p.change).toList();
      try {
        UpdateResult r = send(sender, zone, changes);
        waiting.forEach(p -> p.result.complete(r));
        return;
      } catch (DnsUpdateException e) {
        if (TransportRetry.retryable(e)
            && attempt < TransportRetry.ATTEMPTS
            && pause(TransportRetry.backoff(attempt + 1), waiting)) {
          log.debug(
              "zone {}: {} change(s) lost on the way ({}); attempt {}",
              zone,
              waiting.size(),
              e.getMessage(),
              attempt + 1);
          continue;
        }
        if (!splittable(e.reason()) || waiting.size() == 1) {
          waiting.forEach(p -> p.result.completeExceptionally(e));
          return;
        }
        log.debug("zone {}: {} change(s) refused together; splitting", zone, waiting.size());
        int half = waiting.size() / 2;
        deliver(sender, zone, waiting.subList(0, half));
        deliver(sender, zone, waiting.subList(half, waiting.size()));
        return;
      }
    }
  }

  /** Waits before a retry; false when no caller would still be waiting after it. */
  private static boolean pause(Duration backoff, List<Pending> waiting) {
    long resume = System.nanoTime() + backoff.toNanos();
    if (waiting.stream().noneMatch(p -> p.deadlineNanos - resume > 0)) {
      return false;
    }
    try {
      Thread.sleep(backoff.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Refused messages are split; so are messages the server answered NOERROR without applying all
   * (PowerDNS applies the permitted records and skips the rest): sent again in halves, the applied
   * changes are no-ops, and only the refused ones fail.
   */
  private static boolean splittable(FailureReason reason) {
    return reason == FailureReason.UpdateRefused || reason == FailureReason.UpdateNotApplied;
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
    final long deadlineNanos;
    final CompletableFuture<UpdateResult> result = new CompletableFuture<>();

    Pending(TxtChange change, long deadlineNanos) {
      this.change = change;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** What {@link Lane#enqueue} did with a change. */
  private enum Enqueued {
    /** The lane was idle: the caller sends the change itself. */
    CARRY,
    /** It leaves with a later message of the lane. */
    QUEUED,
    /** The lane went idle and left the map: the change was not taken. */
    RETIRED
  }

  /**
   * One nameserver+key+zone: a queue and at most one message in flight. Retired (for good) once
   * idle with nothing queued, so a change can never be left in a lane nobody will send.
   */
  private final class Lane {
    private final Object key;
    private final Sender sender;
    private final Name zone;
    private Deque<Pending> queue = new ArrayDeque<>();
    private boolean inFlight;
    private boolean scheduled;
    private boolean retired;

    Lane(Object key, Sender sender, Name zone) {
      this.key = key;
      this.sender = sender;
      this.zone = zone;
    }

    synchronized int size() {
      return queue.size();
    }

    /** Takes the change unless the lane retired; says whether the caller carries it now. */
    synchronized Enqueued enqueue(Pending p) {
      if (retired) {
        return Enqueued.RETIRED;
      }
      if (inFlight) {
        queue.add(p); // goes out when the message in flight returns
        return Enqueued.QUEUED;
      }
      if (window.isZero()) {
        inFlight = true;
        return Enqueued.CARRY;
      }
      queue.add(p);
      if (queue.size() >= maxChanges) {
        startFlight();
      } else if (!scheduled) {
        scheduled = true;
        timer.schedule(this::windowClosed, window.toNanos(), TimeUnit.NANOSECONDS);
      }
      return Enqueued.QUEUED;
    }

    private synchronized void windowClosed() {
      scheduled = false;
      if (!inFlight && !queue.isEmpty()) {
        startFlight();
      }
    }

    /** Takes what fits one message (skipping callers that gave up); sends it on a sender thread. */
    private void startFlight() {
      List<Pending> batch = takeBatch(queue);
      if (batch.isEmpty()) {
        return;
      }
      inFlight = true;
      senders.execute(() -> fly(batch));
    }

    /** Removes from the head of {@code from} what fits one message; drops callers that gave up. */
    private List<Pending> takeBatch(Deque<Pending> from) {
      List<Pending> batch = new ArrayList<>();
      MessageCaps caps = new MessageCaps(maxChanges);
      while (!from.isEmpty()) {
        Pending p = from.peek();
        if (p.result.isDone()) {
          from.poll();
        } else if (caps.take(p.change)) {
          batch.add(from.poll());
        } else {
          break;
        }
      }
      return batch;
    }

    void fly(List<Pending> batch) {
      try {
        deliver(sender, zone, batch);
      } catch (RuntimeException e) {
        log.error("sending a batch of {} change(s) failed unexpectedly", batch.size(), e);
        batch.forEach(p -> p.result.completeExceptionally(e));
      } finally {
        landed();
      }
    }

    /**
     * The message returned: send what queued up meanwhile, or retire the lane. The lock is held
     * only to swap the queue out and to put back what did not fit: the next batch is built outside
     * it, so arriving changes do not wait for it (JFR saw 125 waits, 4.8 s in all, over 2,000
     * challenges while the batch was built under the lock). Only this thread takes from the lane
     * meanwhile: it stays in flight.
     */
    private void landed() {
      for (; ; ) {
        Deque<Pending> taken;
        boolean retire = false;
        synchronized (this) {
          if (queue.isEmpty()) {
            inFlight = false;
            retire = !scheduled;
            retired = retire;
            taken = null;
          } else {
            taken = queue;
            queue = new ArrayDeque<>();
          }
        }
        if (taken == null) {
          if (retire) {
            lanes.remove(key, this); // outside the lock: a change arriving now goes to a new lane
          }
          return;
        }
        List<Pending> batch = takeBatch(taken);
        if (!taken.isEmpty()) {
          synchronized (this) {
            // what did not fit goes first: it arrived before anything queued meanwhile
            taken.addAll(queue);
            queue = taken;
          }
        }
        if (!batch.isEmpty()) {
          senders.execute(() -> fly(batch));
          return;
        }
      }
    }
  }
}
