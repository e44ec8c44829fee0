package io.dnsupdate.webhook.auth;

/** The outcome of authenticating one request. */
public sealed interface Authentication {
  /** kube-apiserver vouched for this user. */
  record Authenticated(UserInfo user) implements Authentication {}

  /** No trustworthy identity; the reason says which check failed. */
  record Unauthenticated(String reason) implements Authentication {}

  /**
   * Nothing can be checked yet: kube-apiserver's request-header settings are not loaded (the first
   * moments after start, or the ConfigMap cannot be read). The caller should retry, not give up.
   */
  record Unavailable(String reason) implements Authentication {}
}
