package io.dnsupdate.webhook.auth;

/** The outcome of authenticating one request. */
public sealed interface Authentication {
  /** kube-apiserver vouched for this user. */
  record Authenticated(UserInfo user) implements Authentication {}

  /** No trustworthy identity; the reason says which check failed. */
  record Unauthenticated(String reason) implements Authentication {}
}
