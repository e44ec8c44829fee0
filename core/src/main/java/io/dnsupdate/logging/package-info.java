/** Logging set-up shared by the operator and the webhook. */
package io.dnsupdate.logging;
