package io.dnsupdate.dns;

/**
 * A CamelCase reason why something failed, as users see it in a condition, a log line, a metric tag
 * or a ChallengePayload's {@code status.reason} (Kubernetes' {@code metav1.StatusReason}).
 * Implemented by enums, whose {@code name()} is that text: {@link FailureReason} for DNS failures,
 * and the webhook's own reasons for what fails before any DNS traffic, so one layer can report the
 * other's reason as it is instead of mirroring it.
 */
public interface StatusReason {
  /** The reason as written on the wire. */
  String name();
}
