package io.dnsupdate.testkit;

/** A start that failed because a port was taken after all; worth a retry on other ports. */
final class PortClash extends IllegalStateException {
  PortClash(String message) {
    super(message);
  }
}
