package io.dnsupdate.config;

import static io.dnsupdate.api.ApiConstants.SECRET_ALGORITHM;
import static io.dnsupdate.api.ApiConstants.SECRET_KEY_NAME;
import static io.dnsupdate.api.ApiConstants.SECRET_PREVIOUS_EXPIRES_AT;
import static io.dnsupdate.api.ApiConstants.SECRET_PREVIOUS_SECRET;
import static io.dnsupdate.api.ApiConstants.SECRET_SECRET;

import io.dnsupdate.dns.InvalidTsigKeyException;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts {@link KeyMaterial} to and from the data of a key Secret ({@code keyName}, {@code
 * algorithm}, {@code secret}, optional {@code previousSecret} and {@code previousExpiresAt}), and
 * reads a key imported from a user's Secret. Errors name data keys, never values of secrets.
 */
public final class KeySecretCodec {
  /**
   * Values echoed in errors: too short to be a secret (the shortest accepted, hmac-md5's, is 24
   * base64 characters) or made of characters a time has and base64 lacks.
   */
  private static final Pattern SAFE_TO_ECHO =
      Pattern.compile("^([A-Za-z0-9._-]{1,20}|[0-9TZtz:.+ -]*:[0-9TZtz:.+ -]*)$");

  private static final Pattern CLAUSE_SECRET = Pattern.compile("\\bsecret\\s+\"([^\"]*)\"");
  private static final Pattern CLAUSE_ALGORITHM =
      Pattern.compile("\\balgorithm\\s+\"?([A-Za-z0-9.-]+)\"?\\s*;");
  private static final Pattern CLAUSE_NAME = Pattern.compile("\\bkey\\s+\"?([^\"\\s{]+)\"?\\s*\\{");

  private KeySecretCodec() {}

  /** Secret {@code data}: every value base64-encoded, keys sorted. */
  public static Map<String, String> toData(KeyMaterial key) {
    Map<String, String> out = new TreeMap<>();
    toStringData(key).forEach((k, v) -> out.put(k, base64(v)));
    return out;
  }

  /** Secret {@code stringData}: plain values, keys sorted. */
  public static Map<String, String> toStringData(KeyMaterial key) {
    Map<String, String> out = new TreeMap<>();
    TsigCredentials current = key.current();
    out.put(SECRET_KEY_NAME, current.keyName().toString());
    out.put(SECRET_ALGORITHM, current.algorithm().bindName());
    out.put(SECRET_SECRET, current.secretBase64());
    if (key.previous() != null) {
      out.put(SECRET_PREVIOUS_SECRET, key.previous().secretBase64());
      out.put(
          SECRET_PREVIOUS_EXPIRES_AT,
          DateTimeFormatter.ISO_INSTANT.format(key.previousExpiresAt()));
    }
    return out;
  }

  /**
   * True when the Secret is in the operator's format (key name and algorithm present), rather than
   * a user's Secret holding only a key to import.
   */
  public static boolean isKeySecret(Secret secret) {
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    Map<String, String> stringData =
        secret.getStringData() == null ? Map.of() : secret.getStringData();
    return (data.containsKey(SECRET_KEY_NAME) || stringData.containsKey(SECRET_KEY_NAME))
        && (data.containsKey(SECRET_ALGORITHM) || stringData.containsKey(SECRET_ALGORITHM));
  }

  /** Reads a Secret as the API server returns it, or as a client wrote it with stringData. */
  public static KeyMaterial fromSecret(Secret secret) {
    return decode(secret.getData(), secret.getStringData());
  }

  /** Reads Secret {@code data} (base64 values). */
  public static KeyMaterial fromData(Map<String, String> data) {
    return decode(data, null);
  }

  /** Reads Secret {@code stringData} (plain values). */
  public static KeyMaterial fromStringData(Map<String, String> stringData) {
    return decode(null, stringData);
  }

  /**
   * Reads a key Secret; where a key is in both maps the {@code stringData} value wins, as the API
   * server does when it merges them.
   *
   * @throws InvalidKeySecretException when a field is missing or unreadable
   */
  public static KeyMaterial decode(Map<String, String> data, Map<String, String> stringData) {
    Map<String, String> plain = plainData(data, stringData);
    String keyName = required(plain, SECRET_KEY_NAME);
    String algorithmText = required(plain, SECRET_ALGORITHM);
    String secret = required(plain, SECRET_SECRET);
    TsigAlgorithm algorithm;
    try {
      // the TsigKey that wrote the Secret already decided whether a legacy algorithm is allowed
      algorithm = TsigAlgorithm.parse(algorithmText, true);
    } catch (IllegalArgumentException e) {
      throw new InvalidKeySecretException(
          "key Secret field '"
              + SECRET_ALGORITHM
              + "' "
              + echo(algorithmText)
              + "is not a TSIG algorithm; expected hmac-sha256, hmac-sha384, hmac-sha512,"
              + " hmac-sha1 or hmac-md5");
    }
    TsigCredentials current = credentials(keyName, algorithm, secret, SECRET_SECRET);
    String previousSecret = plain.get(SECRET_PREVIOUS_SECRET);
    String previousExpiresAt = plain.get(SECRET_PREVIOUS_EXPIRES_AT);
    boolean hasPrevious = previousSecret != null && !previousSecret.isBlank();
    boolean hasExpiry = previousExpiresAt != null && !previousExpiresAt.isBlank();
    if (!hasPrevious && !hasExpiry) {
      return KeyMaterial.of(current);
    }
    if (hasPrevious != hasExpiry) {
      throw new InvalidKeySecretException(
          "key Secret has '"
              + (hasPrevious ? SECRET_PREVIOUS_SECRET : SECRET_PREVIOUS_EXPIRES_AT)
              + "' without '"
              + (hasPrevious ? SECRET_PREVIOUS_EXPIRES_AT : SECRET_PREVIOUS_SECRET)
              + "': both are written together during a rotation overlap");
    }
    TsigCredentials previous =
        credentials(keyName, algorithm, previousSecret, SECRET_PREVIOUS_SECRET);
    Instant expiresAt;
    try {
      expiresAt = OffsetDateTime.parse(previousExpiresAt.strip()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidKeySecretException(
          "key Secret field '"
              + SECRET_PREVIOUS_EXPIRES_AT
              + "' "
              + echo(previousExpiresAt)
              + "is not an RFC 3339 time such as 2025-01-31T12:00:00Z");
    }
    return new KeyMaterial(current, previous, expiresAt);
  }

  /**
   * Reads a key the user keeps in their own Secret: the value under {@code dataKey} is BIND's
   * base64 secret, or a whole {@code key "NAME" { algorithm ...; secret "..."; };} clause as
   * tsig-keygen prints it, whose name and algorithm must then agree with the TsigKey's.
   *
   * @throws InvalidKeySecretException when the data key is missing or the value unusable
   */
  public static TsigCredentials importKey(
      Secret secret, String dataKey, String keyName, TsigAlgorithm algorithm) {
    String secretName = secret.getMetadata() == null ? null : secret.getMetadata().getName();
    return importKey(
        secretName, secret.getData(), secret.getStringData(), dataKey, keyName, algorithm);
  }

  /** {@link #importKey(Secret, String, String, TsigAlgorithm)} on the Secret's maps. */
  public static TsigCredentials importKey(
      String secretName,
      Map<String, String> data,
      Map<String, String> stringData,
      String dataKey,
      String keyName,
      TsigAlgorithm algorithm) {
    String where =
        secretName == null
            ? "the imported Secret"
            : "Secret '" + LogSafe.inMessage(secretName) + "'";
    Map<String, String> plain = plainData(data, stringData);
    String value = plain.get(dataKey);
    if (value == null || value.isBlank()) {
      throw new InvalidKeySecretException(
          where
              + " has no data key '"
              + LogSafe.inMessage(dataKey)
              + "' (it has "
              + keys(plain)
              + "); set importFrom.secretKey to the key holding BIND's secret string");
    }
    String base64 = value;
    Matcher secretInClause = CLAUSE_SECRET.matcher(value);
    if (secretInClause.find()) {
      base64 = secretInClause.group(1);
      Matcher alg = CLAUSE_ALGORITHM.matcher(value);
      if (alg.find()) {
        TsigAlgorithm clauseAlgorithm;
        try {
          clauseAlgorithm = TsigAlgorithm.parse(alg.group(1), true);
        } catch (IllegalArgumentException e) {
          throw new InvalidKeySecretException(
              where + " holds a key clause with an unknown algorithm " + echo(alg.group(1)));
        }
        if (clauseAlgorithm != algorithm) {
          throw new InvalidKeySecretException(
              where
                  + " holds a key clause for "
                  + clauseAlgorithm.bindName()
                  + " but the TsigKey says "
                  + algorithm.bindName()
                  + ": set spec.algorithm to "
                  + clauseAlgorithm.bindName());
        }
      }
      Matcher name = CLAUSE_NAME.matcher(value);
      if (name.find() && !sameName(name.group(1), keyName)) {
        throw new InvalidKeySecretException(
            where
                + " holds a key clause named '"
                + LogSafe.inMessage(name.group(1))
                + "' but the TsigKey's key name is '"
                + LogSafe.inMessage(keyName)
                + "': set spec.keyName to "
                + LogSafe.inMessage(name.group(1)));
      }
    }
    return credentials(keyName, algorithm, base64, dataKey);
  }

  private static TsigCredentials credentials(
      String keyName, TsigAlgorithm algorithm, String base64, String field) {
    try {
      return TsigCredentials.fromBase64(keyName, algorithm, base64);
    } catch (InvalidTsigKeyException e) {
      // TsigCredentials' messages name the key, never the secret
      throw new InvalidKeySecretException(
          "key Secret field '"
              + LogSafe.inMessage(field)
              + "': "
              + LogSafe.printable(e.getMessage()));
    }
  }

  /**
   * A Secret's values as plain text: {@code data} base64-decoded, then {@code stringData} on top
   * (it wins, as the API server would merge it). Bad base64 is an {@link InvalidKeySecretException}
   * naming the field, never quoting the value.
   */
  public static Map<String, String> plainData(
      Map<String, String> data, Map<String, String> stringData) {
    Map<String, String> plain = new HashMap<>();
    if (data != null) {
      data.forEach(
          (k, v) -> {
            if (v != null) {
              plain.put(k, unbase64(k, v));
            }
          });
    }
    if (stringData != null) {
      stringData.forEach(
          (k, v) -> {
            if (v != null) {
              plain.put(k, v);
            }
          });
    }
    return plain;
  }

  private static String required(Map<String, String> plain, String key) {
    String v = plain.get(key);
    if (v == null || v.isBlank()) {
      throw new InvalidKeySecretException(
          "key Secret has no '"
              + key
              + "' (it has "
              + keys(plain)
              + "); the operator writes keyName, algorithm and secret");
    }
    return v.strip();
  }

  private static String unbase64(String key, String value) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      // no cause: the decoder's message quotes a character of the value
      throw new InvalidKeySecretException(
          "Secret data '"
              + LogSafe.inMessage(key)
              + "' is not base64; values under 'data' must be base64-encoded (use 'stringData'"
              + " for plain text)");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidKeySecretException(
          "Secret data '"
              + LogSafe.inMessage(key)
              + "' decodes to binary bytes, not text: store BIND's base64 secret string, not the"
              + " raw key bytes");
    }
  }

  /** The data keys a Secret has, sorted and printable, for a message. */
  private static String keys(Map<String, String> plain) {
    return new TreeSet<>(plain.keySet()).stream().map(LogSafe::inMessage).toList().toString();
  }

  private static boolean sameName(String a, String b) {
    String x = a.endsWith(".") ? a : a + ".";
    String y = b == null ? "" : b.endsWith(".") ? b : b + ".";
    return x.equalsIgnoreCase(y);
  }

  private static String echo(String value) {
    String v = value == null ? "" : value.strip();
    return v.length() <= 40 && SAFE_TO_ECHO.matcher(v).matches() ? "'" + v + "' " : "";
  }

  private static String base64(String plain) {
    return Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }
}
