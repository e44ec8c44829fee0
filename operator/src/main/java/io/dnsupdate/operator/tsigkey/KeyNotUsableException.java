package io.dnsupdate.operator.tsigkey;

import java.time.Instant;
import java.util.Objects;

/**
 * The key cannot be produced for a reason the user must fix (a conflicting or missing Secret). The
 * message names Secrets and data keys, never key material.
 */
public class KeyNotUsableException extends Exception {
  private final TsigKeyReason reason;
  private final transient Instant sourceMissingSince;

  public KeyNotUsableException(TsigKeyReason reason, String message) {
    this(reason, message, null);
  }

  /**
   * @param sourceMissingSince since when the Secret to import from is missing, or null
   */
  public KeyNotUsableException(TsigKeyReason reason, String message, Instant sourceMissingSince) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.sourceMissingSince = sourceMissingSince;
  }

  public TsigKeyReason reason() {
    return reason;
  }

  /** Since when the Secret to import from is missing, or null. */
  public Instant sourceMissingSince() {
    return sourceMissingSince;
  }
}
