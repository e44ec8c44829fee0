/**
 * How the operator and the webhook keep things in memory: Caffeine caches, each with a bound and an
 * expiry, timed by the component's {@link java.time.Clock} and loaded on the caller's thread, one
 * load per key ({@link io.dnsupdate.cache.Caches}).
 */
package io.dnsupdate.cache;
