package io.dnsupdate.dns;

/**
 * What an accepted UPDATE did.
 *
 * @param changes how many TXT changes the message carried
 * @param retriedOverTcp whether a truncated UDP answer made us send it again over TCP
 */
public record UpdateResult(int changes, boolean retriedOverTcp) {}
