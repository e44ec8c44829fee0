package io.dnsupdate.config;

import io.dnsupdate.dns.TsigCredentials;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a key Secret holds: the current key and, during a rotation overlap, the previous secret of
 * the same key name and algorithm with the time it stops being kept. {@link #toString()} shows
 * fingerprints only, as {@link TsigCredentials} does.
 *
 * @param current the key in use
 * @param previous the replaced key, or null
 * @param previousExpiresAt when {@code previous} stops being kept; null exactly when it is
 */
public record KeyMaterial(
    TsigCredentials current, TsigCredentials previous, Instant previousExpiresAt) {
  public KeyMaterial {
    Objects.requireNonNull(current, "current");
    if ((previous == null) != (previousExpiresAt == null)) {
      throw new IllegalArgumentException(
          "a previous key and its expiry time go together: give both or neither");
    }
    if (previous != null
        && (!previous.keyName().equals(current.keyName())
            || previous.algorithm() != current.algorithm())) {
      throw new IllegalArgumentException(
          "the previous key must have the current key's name and algorithm ("
              + current.keyName()
              + ", "
              + current.algorithm()
              + "): a key Secret stores only its secret");
    }
  }

  /** Only a current key. */
  public static KeyMaterial of(TsigCredentials current) {
    return new KeyMaterial(current, null, null);
  }

  /** The same current key with a previous one kept until {@code expiresAt}. */
  public KeyMaterial withPrevious(TsigCredentials previousKey, Instant expiresAt) {
    return new KeyMaterial(current, previousKey, expiresAt);
  }

  /** The previous key while it is still kept at {@code now}. */
  public Optional<TsigCredentials> previousAt(Instant now) {
    return previous != null && now.isBefore(previousExpiresAt)
        ? Optional.of(previous)
        : Optional.empty();
  }

  /** Keys worth trying at {@code now}: the current one first, then a still-kept previous one. */
  public List<TsigCredentials> usableAt(Instant now) {
    List<TsigCredentials> keys = new ArrayList<>(2);
    keys.add(current);
    previousAt(now).ifPresent(keys::add);
    return List.copyOf(keys);
  }

  @Override
  public String toString() {
    return "KeyMaterial[current="
        + current
        + ", previous="
        + previous
        + ", previousExpiresAt="
        + previousExpiresAt
        + "]";
  }
}
