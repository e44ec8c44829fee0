/**
 * The cert-manager DNS01 webhook solver: {@link io.dnsupdate.webhook.WebhookMain} starts an
 * aggregated API server over HTTPS that adds and removes one {@code _acme-challenge} TXT value per
 * challenge with TSIG-signed RFC 2136 UPDATE messages. Sub-packages by feature: {@code server}
 * (HTTPS, certificate reload, routing, discovery), {@code auth} (request-header authentication,
 * SubjectAccessReview authorization), {@code challenge} (payload, Present/CleanUp, coalescing) and
 * {@code runtime} (configuration, wiring, metrics).
 */
package io.dnsupdate.webhook;
