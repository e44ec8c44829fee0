package io.dnsupdate.operator.tsigkey;

import java.util.Objects;

/**
 * The key cannot be produced for a reason the user must fix (a conflicting or missing Secret). The
 * message names Secrets and data keys, never key material.
 */
public class KeyNotUsableException extends Exception {
  private final TsigKeyReason reason;

  public KeyNotUsableException(TsigKeyReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public TsigKeyReason reason() {
    return reason;
  }
}
