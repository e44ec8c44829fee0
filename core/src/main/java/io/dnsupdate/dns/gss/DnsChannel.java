package io.dnsupdate.dns.gss;

import java.util.function.IntFunction;

/**
 * Carries one DNS message to a nameserver and back over a stream. The channel picks the message id
 * (a pipelined connection must choose one not in flight) and asks for the message's wire form with
 * that id, signed where needed: the id is covered by the TSIG MAC.
 */
public interface DnsChannel {

  /**
   * Sends the message {@code wireFor} builds for the chosen id and returns the answer's wire form.
   *
   * @throws GssTsigException NAMESERVER_UNREACHABLE when no answer came in time
   */
  byte[] exchange(IntFunction<byte[]> wireFor) throws GssTsigException;

  /** The nameserver, {@code host:port}, for messages. */
  String where();
}
