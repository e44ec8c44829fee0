package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * A TsigKey's spec, validated once with the CRD's defaults applied (objects served by a test API
 * server, or built in Java, were never defaulted). The operator writes the key Secrets it names;
 * the webhook reads the key through the same names and import rules.
 *
 * @param keyName the key's absolute name as the nameserver knows it
 * @param algorithm the HMAC algorithm
 * @param secretName the key Secret the operator owns
 * @param nameserverConfigSecretName the Secret with the rendered nameserver configuration
 * @param importFrom where to copy the key from instead of generating one
 * @param rotation when to replace a generated key
 * @param retainSecret true when the key Secret must outlive the TsigKey (no owner reference)
 */
public record KeySettings(
    String keyName,
    TsigAlgorithm algorithm,
    String secretName,
    String nameserverConfigSecretName,
    Optional<Import> importFrom,
    Optional<Rotation> rotation,
    boolean retainSecret) {

  private static final Pattern OBJECT_NAME = Pattern.compile(ApiConstants.OBJECT_NAME_PATTERN);
  private static final Pattern DNS_NAME = Pattern.compile(ApiConstants.DNS_NAME_PATTERN);
  private static final Pattern DATA_KEY = Pattern.compile(ApiConstants.SECRET_DATA_KEY_PATTERN);

  public KeySettings {
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(secretName, "secretName");
    Objects.requireNonNull(nameserverConfigSecretName, "nameserverConfigSecretName");
    Objects.requireNonNull(importFrom, "importFrom");
    Objects.requireNonNull(rotation, "rotation");
  }

  /**
   * The user's Secret and its data key holding BIND's base64 secret (or a whole key clause).
   *
   * @param overlap how long a replaced key stays in the key Secret as the previous key
   * @param gracePeriod how long the source Secret may be missing while the copied key stays in use
   */
  public record Import(
      String secretName, String secretKey, Duration overlap, Duration gracePeriod) {
    public Import {
      Objects.requireNonNull(overlap, "overlap");
      Objects.requireNonNull(gracePeriod, "gracePeriod");
    }
  }

  /** Replace the key every {@code period}; keep the previous one {@code overlap} longer. */
  public record Rotation(Duration period, Duration overlap) {}

  /**
   * The Secret that holds the key in use: the key Secret the operator last wrote ({@code
   * status.secretName}), else, before the operator has written one, the import source, else the key
   * Secret this spec names.
   */
  public String secretInUse(TsigKeyStatus status) {
    String written = status == null ? null : status.getSecretName();
    if (written != null && !written.isBlank()) {
      return written;
    }
    return importFrom.map(Import::secretName).orElse(secretName);
  }

  /**
   * The key in the import source Secret, read with this spec's data key, key name and algorithm.
   *
   * @throws IllegalStateException when the spec imports nothing
   * @throws InvalidKeySecretException when the data key is missing or the value unusable
   */
  public TsigCredentials importKey(Secret source) {
    Import from =
        importFrom.orElseThrow(() -> new IllegalStateException("this TsigKey imports no key"));
    return KeySecretCodec.importKey(source, from.secretKey(), keyName, algorithm);
  }

  /**
   * Validates a TsigKey's spec.
   *
   * @throws InvalidSpecException listing every problem, each prefixed with its field
   */
  public static KeySettings parse(TsigKey key) {
    TsigKeySpec spec = key.getSpec() == null ? new TsigKeySpec() : key.getSpec();
    List<String> problems = new ArrayList<>();

    String keyName = key.effectiveKeyName();
    if (spec.getKeyName() != null && !spec.getKeyName().isBlank()) {
      String written = spec.getKeyName().strip();
      if (written.length() > 254 || !DNS_NAME.matcher(written).matches()) {
        problems.add(
            "keyName: '"
                + LogSafe.inMessage(written)
                + "' is not a DNS name (labels of letters, digits, - and _, at most 254"
                + " characters)");
      } else {
        try {
          Name.fromString(keyName, Name.root);
        } catch (TextParseException e) {
          problems.add(
              "keyName: '"
                  + LogSafe.inMessage(written)
                  + "' is not a DNS name: "
                  + LogSafe.printable(e.getMessage()));
        }
      }
    }

    TsigAlgorithm algorithm = key.effectiveAlgorithm().engine();
    if (algorithm.legacy() && !key.legacyAlgorithmAllowed()) {
      problems.add(
          "algorithm: "
              + algorithm.bindName()
              + " is weak and refused; use hmac-sha256, hmac-sha384 or hmac-sha512, or set"
              + " allowLegacyAlgorithm: true for a nameserver that cannot do better");
    }

    String secretName = key.effectiveSecretName();
    checkObjectName("secretName", secretName, problems);
    String configName = key.effectiveNameserverConfigSecretName();
    checkObjectName("nameserverConfigSecretName", configName, problems);
    if (secretName.equals(configName)) {
      problems.add(
          "nameserverConfigSecretName: '"
              + LogSafe.inMessage(configName)
              + "' is also the key Secret (secretName); give the two Secrets different names");
    }

    Optional<Import> importFrom = Optional.empty();
    if (spec.getImportFrom() != null) {
      String source = blankToNull(spec.getImportFrom().getSecretName());
      String dataKey =
          Objects.requireNonNullElse(
              blankToNull(spec.getImportFrom().getSecretKey()),
              ApiConstants.DEFAULT_IMPORT_SECRET_KEY);
      if (source == null) {
        problems.add(
            "importFrom.secretName: required, the Secret in this namespace holding the key");
      } else {
        checkObjectName("importFrom.secretName", source, problems);
        if (source.equals(secretName) || source.equals(configName)) {
          problems.add(
              "importFrom.secretName: '"
                  + LogSafe.inMessage(source)
                  + "' is a Secret the operator writes; import from a Secret of your own");
        }
      }
      if (!DATA_KEY.matcher(dataKey).matches()) {
        problems.add(
            "importFrom.secretKey: '" + LogSafe.inMessage(dataKey) + "' is not a Secret data key");
      }
      Duration overlap =
          duration(
              "importFrom.overlap",
              spec.getImportFrom().getOverlap(),
              TsigKeySpec.DEFAULT_IMPORT_OVERLAP,
              problems);
      Duration grace =
          duration(
              "importFrom.gracePeriod",
              spec.getImportFrom().getGracePeriod(),
              TsigKeySpec.DEFAULT_IMPORT_GRACE_PERIOD,
              problems);
      if (overlap != null && grace != null) {
        importFrom = Optional.of(new Import(source, dataKey, overlap, grace));
      }
    }

    Optional<Rotation> rotation = Optional.empty();
    if (spec.getRotation() != null) {
      if (spec.getImportFrom() != null) {
        problems.add(
            "rotation: an imported key is never changed by the operator; remove rotation or"
                + " importFrom");
      }
      Duration period = duration("rotation.period", spec.getRotation().getPeriod(), null, problems);
      Duration overlap =
          duration(
              "rotation.overlap",
              spec.getRotation().getOverlap(),
              TsigKeySpec.DEFAULT_OVERLAP,
              problems);
      if (period != null && (period.isZero() || period.isNegative())) {
        problems.add("rotation.period: must be positive");
      } else if (period != null && overlap != null) {
        if (overlap.compareTo(period) >= 0) {
          problems.add(
              "rotation.overlap: "
                  + Durations.format(overlap)
                  + " must be shorter than rotation.period ("
                  + Durations.format(period)
                  + "): only one previous key is kept");
        } else {
          rotation = Optional.of(new Rotation(period, overlap));
        }
      }
    }

    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    boolean retain = spec.getSecretPolicy() == TsigKeySpec.SecretPolicy.Retain;
    return new KeySettings(
        keyName, algorithm, secretName, configName, importFrom, rotation, retain);
  }

  private static Duration duration(
      String field, String text, String fallback, List<String> problems) {
    String t = blankToNull(text);
    if (t == null && fallback == null) {
      problems.add(field + ": required, e.g. 720h");
      return null;
    }
    try {
      Duration d = Durations.parse(t == null ? fallback : t);
      if (d.isNegative()) {
        problems.add(field + ": must not be negative");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + LogSafe.printable(e.getMessage()));
      return null;
    }
  }

  private static void checkObjectName(String field, String value, List<String> problems) {
    if (value.length() > 253 || !OBJECT_NAME.matcher(value).matches()) {
      problems.add(
          field
              + ": '"
              + LogSafe.inMessage(value)
              + "' is not a Secret name (lower-case letters, digits, '-' and '.', at most 253)");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
