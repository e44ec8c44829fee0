package io.dnsupdate.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.Name;

/**
 * The SOA serials authoritative servers serve, read on behalf of many waiters at once: a waiter
 * asks for a reading later than the last one it saw, and every waiter asking meanwhile shares it.
 * At most one SOA query per server and zone is in flight, however many challenges wait, so 1,000
 * Presents of one zone cost a few queries per poll interval instead of 1,000. Queries are unsigned
 * (the ACME server's view) and go by UDP, with TCP on truncation: an SOA answer is small.
 * Thread-safe; one instance serves a whole process.
 */
public final class ZoneSerials {
  private final Clock clock;
  private final Cache<Key, Watch> watches =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofMinutes(5)).build();

  private final AtomicLong queries = new AtomicLong();

  public ZoneSerials(Clock clock) {
    this.clock = clock == null ? Clock.systemUTC() : clock;
  }

  private record Key(Nameserver server, Name zone) {}

  /**
   * One SOA read: its place in the order of reads of its server and zone, and what it found (empty:
   * the server serves no SOA for the zone).
   */
  public record Reading(long sequence, OptionalLong serial) {}

  /** Any reading will do: the latest, or the one in flight. */
  public static final long ANY = -1;

  /** The latest reading of one server and zone: its number and its (maybe pending) serial. */
  private static final class Watch {
    long sequence;
    CompletableFuture<OptionalLong> serial;
  }

  /**
   * A reading of {@code zone}'s serial at {@code server} later than reading {@code after} (or
   * {@link #ANY}): the one in flight if there is one, else a new one. Serials only grow, so a
   * reading at or past a target serial proves the server got there, however old; a reading below it
   * calls for a later one.
   *
   * @throws DnsUpdateException when the server cannot be asked by {@code deadline}
   */
  public Reading readAfter(ServerEndpoint server, Name zone, long after, Instant deadline)
      throws DnsUpdateException {
    Watch watch = watches.get(new Key(server.nameserver(), zone), k -> new Watch());
    while (true) {
      long sequence;
      CompletableFuture<OptionalLong> serial;
      boolean mine = false;
      synchronized (watch) {
        if (watch.serial == null || (watch.sequence <= after && watch.serial.isDone())) {
          watch.sequence++;
          watch.serial = new CompletableFuture<>();
          mine = true;
        }
        sequence = watch.sequence;
        serial = watch.serial;
      }
      if (mine) {
        queries.incrementAndGet();
        query(server, zone, deadline, serial);
      }
      OptionalLong found = await(serial, server, zone, deadline);
      if (sequence > after) {
        return new Reading(sequence, found);
      }
      // that reading is not later than the caller's last: the next one will be
    }
  }

  /** SOA queries sent so far (tests check that waiters share them). */
  long queries() {
    return queries.get();
  }

  private void query(
      ServerEndpoint server, Name zone, Instant deadline, CompletableFuture<OptionalLong> into) {
    try {
      Duration left = Duration.between(clock.instant(), deadline);
      Duration timeout = left.compareTo(server.timeout()) < 0 ? left : server.timeout();
      if (timeout.isNegative() || timeout.isZero()) {
        throw new DnsUpdateException(
            FailureReason.NameserverUnreachable, "no time left to ask " + server.nameserver());
      }
      ServerEndpoint udp =
          server.transport() == Transport.TLS
              ? server.withTimeout(timeout)
              : new ServerEndpoint(server.nameserver(), Transport.UDP, null, timeout);
      into.complete(new DnsQuery(udp, null, clock).soaSerial(zone));
    } catch (DnsUpdateException | RuntimeException e) {
      into.completeExceptionally(e);
    }
  }

  private OptionalLong await(
      CompletableFuture<OptionalLong> serial, ServerEndpoint server, Name zone, Instant deadline)
      throws DnsUpdateException {
    try {
      long ms = Math.max(1, Duration.between(clock.instant(), deadline).toMillis());
      return serial.get(ms, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DnsUpdateException d) {
        throw d;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new DnsUpdateException(
          FailureReason.NameserverUnreachable,
          "no answer from " + server.nameserver() + " to the SOA query for '" + zone + "'",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DnsUpdateException(FailureReason.NameserverUnreachable, "interrupted", e);
    }
  }
}
