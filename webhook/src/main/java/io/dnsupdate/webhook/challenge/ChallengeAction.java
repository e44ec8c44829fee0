package io.dnsupdate.webhook.challenge;

import java.util.Optional;

/** What cert-manager asks for: publish the challenge record, or remove it. */
public enum ChallengeAction {
  PRESENT("Present"),
  CLEANUP("CleanUp");

  private final String wireName;

  ChallengeAction(String wireName) {
    this.wireName = wireName;
  }

  /** The value in {@code request.action}. */
  public String wireName() {
    return wireName;
  }

  /** The action for a wire value, compared exactly as cert-manager's own server does. */
  public static Optional<ChallengeAction> fromWire(String value) {
    for (ChallengeAction a : values()) {
      if (a.wireName.equals(value)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
