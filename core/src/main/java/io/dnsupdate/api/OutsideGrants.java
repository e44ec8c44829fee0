package io.dnsupdate.api;

import io.dnsupdate.dns.DnsUpdateClient;

/**
 * What an issuer's primary nameserver did with the probe's change outside every challenge name (a
 * TXT record at {@code _dnsupdate-limit-probe.<zone>}).
 */
public enum OutsideGrants {
  /**
   * Answered with an error rcode (BIND REFUSED, Knot NOTAUTH): the server refuses loudly, so an
   * UPDATE it answers NOERROR made every change it holds, and the webhook does not read its changes
   * back.
   */
  Refused,
  /**
   * Answered NOERROR without making the change (PowerDNS with its Lua update policy): the webhook
   * reads every change back.
   */
  RefusedSilently,
  /** Made the change (taken away again at once): the key can change every record of the zone. */
  Allowed;

  /** What the engine's limit probe found, as the status tells it. */
  public static OutsideGrants of(DnsUpdateClient.Limit limit) {
    return switch (limit) {
      case REFUSED -> Refused;
      case REFUSED_SILENTLY -> RefusedSilently;
      case NOT_LIMITED -> Allowed;
    };
  }

  /** The one to report for several zones: the least limited. */
  public static OutsideGrants leastLimited(OutsideGrants a, OutsideGrants b) {
    return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
  }
}
