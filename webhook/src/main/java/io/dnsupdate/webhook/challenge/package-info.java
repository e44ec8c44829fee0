/**
 * Solving challenges: the ChallengePayload wire format, Present and CleanUp (issuer lookup in the
 * challenge's namespace, domain policy, key Secret, UPDATE with fallbacks, propagation check) and
 * the coalescing of concurrent changes into shared UPDATE messages.
 */
package io.dnsupdate.webhook.challenge;
