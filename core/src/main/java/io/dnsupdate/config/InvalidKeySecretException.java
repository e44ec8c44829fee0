package io.dnsupdate.config;

/**
 * A key Secret that cannot be read as a TSIG key. The message names the Secret's data key and what
 * is wrong with it, never the secret itself.
 */
public class InvalidKeySecretException extends IllegalArgumentException {
  public InvalidKeySecretException(String message) {
    super(message);
  }
}
