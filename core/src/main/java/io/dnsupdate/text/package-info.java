/** Text from callers, resources and libraries, made safe before it reaches a log or a message. */
package io.dnsupdate.text;
