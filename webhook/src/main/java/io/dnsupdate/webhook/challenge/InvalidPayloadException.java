package io.dnsupdate.webhook.challenge;

/** The body is not a ChallengePayload we can read: answered with HTTP 400 and the message. */
public final class InvalidPayloadException extends Exception {
  public InvalidPayloadException(String message) {
    super(message);
  }
}
