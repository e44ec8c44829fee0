package io.dnsupdate.testkit;

/** Thrown inside await conditions to stop waiting for a server that will not come up. */
final class StartFailure extends RuntimeException {
  StartFailure(String message) {
    super(message, null, false, false);
  }
}
