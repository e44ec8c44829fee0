/** Process concerns: configuration from flags and environment, wiring, metrics and log level. */
package io.dnsupdate.webhook.runtime;
