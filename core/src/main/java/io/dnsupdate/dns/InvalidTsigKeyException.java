package io.dnsupdate.dns;

/** A TSIG key that cannot be used as given; the message says how to fix it, never the secret. */
public class InvalidTsigKeyException extends IllegalArgumentException {
  public InvalidTsigKeyException(String message) {
    super(message);
  }
}
