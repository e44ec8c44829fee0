package io.dnsupdate.dns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/**
 * A TSIG key: its name, algorithm and secret bytes. {@link #toString()} never shows the secret, so
 * a credential can be logged or put in an exception message by mistake without leaking.
 */
public final class TsigCredentials {
  /** Upper bound on imported secrets; keys longer than the HMAC block size gain nothing. */
  static final int MAX_SECRET_BYTES = 512;

  private static final Pattern BASE64 = Pattern.compile("^[A-Za-z0-9+/]+={0,2}$");

  private final Name keyName;
  private final TsigAlgorithm algorithm;
  private final byte[] secret;

  private TsigCredentials(Name keyName, TsigAlgorithm algorithm, byte[] secret) {
    this.keyName = keyName;
    this.algorithm = algorithm;
    this.secret = secret;
  }

  /**
   * Builds credentials from raw secret bytes.
   *
   * @throws InvalidTsigKeyException when the secret is shorter than the HMAC output (RFC 8945 §6
   *     and RFC 2104 §3 advise against it) or absurdly long
   */
  public static TsigCredentials of(String keyName, TsigAlgorithm algorithm, byte[] secret) {
    Objects.requireNonNull(algorithm, "algorithm");
    Name name = parseKeyName(keyName);
    if (secret == null || secret.length == 0) {
      throw new InvalidTsigKeyException("TSIG key '" + name + "' has an empty secret");
    }
    if (secret.length < algorithm.outputLength()) {
      throw new InvalidTsigKeyException(
          "TSIG key '"
              + name
              + "' is too short for "
              + algorithm.bindName()
              + ": "
              + secret.length
              + " bytes, at least "
              + algorithm.outputLength()
              + " needed (generate one with: tsig-keygen -a "
              + algorithm.bindName()
              + ")");
    }
    if (secret.length > MAX_SECRET_BYTES) {
      throw new InvalidTsigKeyException(
          "TSIG key '" + name + "' is " + secret.length + " bytes long; at most 512 are accepted");
    }
    return new TsigCredentials(name, algorithm, secret.clone());
  }

  /**
   * Builds credentials from a secret in BIND's base64 form (as in {@code secret "...";}).
   *
   * @throws InvalidTsigKeyException when the text is not base64, looks base64-encoded twice, or has
   *     the wrong length
   */
  public static TsigCredentials fromBase64(
      String keyName, TsigAlgorithm algorithm, String base64Secret) {
    Name name = parseKeyName(keyName);
    String text = base64Secret == null ? "" : base64Secret.strip();
    if (text.isEmpty()) {
      throw new InvalidTsigKeyException("TSIG key '" + name + "' has an empty secret");
    }
    byte[] secret = decodeBase64(text, name);
    if (looksBase64Encoded(secret, algorithm)) {
      throw new InvalidTsigKeyException(
          "the secret of TSIG key '"
              + name
              + "' appears to be base64-encoded twice: the decoded bytes are themselves base64"
              + " text. Put BIND's secret string as it is (Kubernetes Secret 'data' values are"
              + " already base64; use 'stringData' or encode the BIND string only once)");
    }
    return of(keyName, algorithm, secret);
  }

  /** Generates a fresh random key as long as the HMAC output. */
  public static TsigCredentials generate(
      String keyName, TsigAlgorithm algorithm, SecureRandom random) {
    byte[] secret = new byte[algorithm.outputLength()];
    random.nextBytes(secret);
    return of(keyName, algorithm, secret);
  }

  private static byte[] decodeBase64(String text, Name name) {
    String compact = text.replaceAll("\\s+", "");
    if (!BASE64.matcher(compact).matches()) {
      throw new InvalidTsigKeyException(
          "the secret of TSIG key '"
              + name
              + "' is not valid base64 (BIND's 'secret' string is expected)");
    }
    try {
      return Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      throw new InvalidTsigKeyException(
          "the secret of TSIG key '"
              + name
              + "' is not valid base64 (BIND's 'secret' string is expected)");
    }
  }

  /**
   * A random key decoded once is binary; if it decodes to base64 text that itself decodes to a key
   * of a plausible length, somebody encoded BIND's string a second time.
   */
  private static boolean looksBase64Encoded(byte[] decoded, TsigAlgorithm algorithm) {
    String asText = new String(decoded, StandardCharsets.ISO_8859_1).strip();
    if (!BASE64.matcher(asText).matches() || asText.length() % 4 != 0) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(asText).length >= Math.min(16, algorithm.outputLength());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Name parseKeyName(String keyName) {
    if (keyName == null || keyName.isBlank()) {
      throw new InvalidTsigKeyException("TSIG key name is empty");
    }
    try {
      return Name.fromString(keyName.strip(), Name.root);
    } catch (TextParseException e) {
      throw new InvalidTsigKeyException(
          "TSIG key name '" + keyName + "' is not a valid domain name: " + e.getMessage());
    }
  }

  public Name keyName() {
    return keyName;
  }

  public TsigAlgorithm algorithm() {
    return algorithm;
  }

  /** The secret in BIND's base64 form. Only for writing Secrets and nameserver configuration. */
  public String secretBase64() {
    return Base64.getEncoder().encodeToString(secret);
  }

  /**
   * A short non-secret identifier of the key bytes: the first 8 bytes of SHA-256 over the secret,
   * in hex. Lets users compare keys across Secrets and nameservers without showing them.
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret);
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** A dnsjava signer for these credentials using the given clock for "time signed". */
  public TSIG signer(Clock clock) {
    SecretKeySpec key = new SecretKeySpec(secret, TSIG.nameToAlgorithm(algorithm.dnsName()));
    return new TSIG(algorithm.dnsName(), keyName, key, clock);
  }

  /** Same key name and algorithm and secret. */
  public boolean sameKeyAs(TsigCredentials other) {
    return other != null
        && keyName.equals(other.keyName)
        && algorithm == other.algorithm
        && MessageDigest.isEqual(secret, other.secret);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TsigCredentials other && sameKeyAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyName, algorithm, Arrays.hashCode(secret));
  }

  @Override
  public String toString() {
    return "TsigCredentials[keyName="
        + keyName
        + ", algorithm="
        + algorithm.bindName()
        + ", fingerprint="
        + fingerprint()
        + ", secret=<redacted>]";
  }
}
