/**
 * HTTPS: the JDK server with a serving certificate reloaded from its files, client certificates
 * requested but judged per request, routing, discovery documents and Kubernetes Status errors.
 */
package io.dnsupdate.webhook.server;
