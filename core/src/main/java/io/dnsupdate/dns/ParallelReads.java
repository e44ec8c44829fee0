package io.dnsupdate.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent reads side by side. They travel pipelined on the pooled connection to their
 * server, so reading back the 80 names of one UPDATE costs about one round trip instead of 80. The
 * caller's thread does the first read itself; the others run on at most {@value #THREADS} shared
 * daemon threads, which end when idle. A read never waits for another, so callers sharing the
 * threads cannot block each other.
 */
final class ParallelReads {
  static final int THREADS = 8;

  private static final ThreadPoolExecutor POOL;

  static {
    AtomicInteger n = new AtomicInteger();
    POOL =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "dns-read-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    POOL.allowCoreThreadTimeOut(true);
  }

  private ParallelReads() {}

  /** One read of a server. */
  @FunctionalInterface
  interface Read<T> {
    T read() throws DnsUpdateException;
  }

  /** Starts a read on a shared thread. */
  static <T> Future<T> start(Read<T> read) {
    return POOL.submit(read::read);
  }

  /** Every read's result, in order; the first failure (in order) is thrown. */
  static <T> List<T> all(List<Read<T>> reads) throws DnsUpdateException {
    if (reads.isEmpty()) {
      return List.of();
    }
    List<Future<T>> others = new ArrayList<>();
    for (Read<T> r : reads.subList(1, reads.size())) {
      others.add(start(r));
    }
    List<T> results = new ArrayList<>();
    results.add(reads.get(0).read());
    for (Future<T> f : others) {
      results.add(join(f));
    }
    return results;
  }

  /** The result of a started read. */
  static <T> T join(Future<T> future) throws DnsUpdateException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw DnsUpdateException.causeOf(e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new DnsUpdateException(FailureReason.NameserverUnreachable, "interrupted", e);
    }
  }
}
