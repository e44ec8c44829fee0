package io.dnsupdate.dns;

import java.util.List;

/**
 * Some authoritative nameservers still did not serve the expected data when the deadline passed.
 */
public class PropagationTimeoutException extends DnsUpdateException {
  private final List<String> laggingServers;

  PropagationTimeoutException(String message, List<String> laggingServers) {
    super(FailureReason.PropagationTimeout, message);
    this.laggingServers = List.copyOf(laggingServers);
  }

  /** The servers (host:port) that lagged. */
  public List<String> laggingServers() {
    return laggingServers;
  }
}
