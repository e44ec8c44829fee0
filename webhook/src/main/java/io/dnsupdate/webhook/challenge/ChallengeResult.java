package io.dnsupdate.webhook.challenge;

import java.util.Objects;

/**
 * The outcome of one Present or CleanUp.
 *
 * @param reason null on success, else a CamelCase reason ({@link SolverFailure#reason()})
 * @param message null on success, else a non-empty message saying what to fix
 * @param issuer the DnsUpdateIssuer named by the config, or "" (for the log line)
 * @param fqdn the challenge name, or "" when it could not be worked out (for the log line)
 */
public record ChallengeResult(String reason, String message, String issuer, String fqdn) {
  public ChallengeResult {
    if ((reason == null) != (message == null)) {
      throw new IllegalArgumentException("a failure has a reason and a message");
    }
    if (message != null && message.isBlank()) {
      throw new IllegalArgumentException("cert-manager reads an empty message as success");
    }
    issuer = Objects.requireNonNullElse(issuer, "");
    fqdn = Objects.requireNonNullElse(fqdn, "");
  }

  public static ChallengeResult success(String issuer, String fqdn) {
    return new ChallengeResult(null, null, issuer, fqdn);
  }

  public static ChallengeResult failure(SolverFailure f, String issuer, String fqdn) {
    return new ChallengeResult(f.reason().name(), f.getMessage(), issuer, fqdn);
  }

  public boolean success() {
    return reason == null;
  }
}
