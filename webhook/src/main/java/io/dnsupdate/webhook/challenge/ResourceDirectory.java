package io.dnsupdate.webhook.challenge;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import java.util.Optional;

/** In-memory view of the cluster's DnsUpdateIssuers and TsigKeys. */
public interface ResourceDirectory {
  /** The issuer {@code namespace/name}, if it exists. */
  Optional<DnsUpdateIssuer> issuer(String namespace, String name);

  /** The TsigKey {@code namespace/name}, if it exists. */
  Optional<TsigKey> tsigKey(String namespace, String name);

  /** True once both kinds have been listed at least once. */
  boolean synced();
}
