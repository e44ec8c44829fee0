package io.dnsupdate.webhook.auth;

/** Decides whether a user may create ChallengePayloads (i.e. present and clean up challenges). */
public interface Authorizer {
  /**
   * The decision for this user.
   *
   * @throws AuthorizationException when no decision could be obtained
   */
  Decision authorize(UserInfo user) throws AuthorizationException;

  /**
   * A decision.
   *
   * @param allowed whether the user may proceed
   * @param reason the authorizer's explanation (may be empty)
   */
  record Decision(boolean allowed, String reason) {}

  /** The authorizer could not decide (the API server was unreachable, ...). */
  final class AuthorizationException extends Exception {
    public AuthorizationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
