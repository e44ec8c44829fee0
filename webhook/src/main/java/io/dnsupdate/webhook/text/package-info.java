/** Text from callers, made safe before it reaches a log. */
package io.dnsupdate.webhook.text;
