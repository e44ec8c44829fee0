package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.ServerEndpoint;
import java.time.Clock;
import java.time.Duration;
import org.xbill.DNS.Name;

/**
 * Zones found by SOA query, per server, signer (key name or principal) and challenge name, kept for
 * a few minutes: a zone cut rarely moves, and every challenge would query for it. Concurrent
 * challenges for one name share one query.
 */
final class ZoneCache {
  /** How long a found zone is used before it is looked up again. */
  static final Duration TTL = Duration.ofMinutes(5);

  /** Names whose zone is kept. */
  static final int MAX_ZONES = 512;

  /** Finds the zone by querying the server. */
  @FunctionalInterface
  interface Finder {
    Name find() throws DnsUpdateException;
  }

  /** Servers by their address and transport, as before: TLS trust does not change a zone. */
  private record Key(String server, Object signer, Name owner) {}

  private final AsyncCache<Key, Name> zones;

  ZoneCache(Clock clock) {
    this.zones =
        Caffeine.newBuilder()
            .maximumSize(MAX_ZONES)
            .expireAfterWrite(TTL)
            .ticker(Caches.ticker(clock))
            .buildAsync();
  }

  /**
   * The zone of {@code owner} on {@code server}: the one found less than {@link #TTL} ago, else
   * found now; {@code fresh} finds it now in any case (the cached one was just refused).
   */
  Name zone(ServerEndpoint server, Object signer, Name owner, boolean fresh, Finder finder)
      throws DnsUpdateException {
    Key key = new Key(server.toString(), signer, owner);
    return fresh
        ? Caches.reload(zones, key, cached -> false, finder::find)
        : Caches.get(zones, key, finder::find);
  }

  /** Zones kept right now (tests). */
  long size() {
    zones.synchronous().cleanUp();
    return zones.synchronous().estimatedSize();
  }
}
