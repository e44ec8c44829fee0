package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dnsupdate.dns.TsigAlgorithm;

/** The {@code spec.algorithm} values of a TsigKey, spelled as in BIND's configuration. */
public enum TsigKeyAlgorithm {
  @JsonProperty("hmac-sha256")
  HMAC_SHA256(TsigAlgorithm.HMAC_SHA256),
  @JsonProperty("hmac-sha384")
  HMAC_SHA384(TsigAlgorithm.HMAC_SHA384),
  @JsonProperty("hmac-sha512")
  HMAC_SHA512(TsigAlgorithm.HMAC_SHA512),
  /** Legacy: refused unless {@code allowLegacyAlgorithm} is true. */
  @JsonProperty("hmac-sha1")
  HMAC_SHA1(TsigAlgorithm.HMAC_SHA1),
  /** Legacy: refused unless {@code allowLegacyAlgorithm} is true. */
  @JsonProperty("hmac-md5")
  HMAC_MD5(TsigAlgorithm.HMAC_MD5);

  /** The CRD default; a compile-time constant for {@code @Default}. */
  public static final String DEFAULT_NAME = "hmac-sha256";

  private final TsigAlgorithm engine;

  TsigKeyAlgorithm(TsigAlgorithm engine) {
    this.engine = engine;
  }

  /** The DNS engine's algorithm. */
  public TsigAlgorithm engine() {
    return engine;
  }

  /** True for hmac-sha1 and hmac-md5. */
  public boolean legacy() {
    return engine.legacy();
  }

  /** The BIND name, e.g. {@code hmac-sha256}. */
  public String bindName() {
    return engine.bindName();
  }

  /** The API value for an engine algorithm. */
  public static TsigKeyAlgorithm of(TsigAlgorithm algorithm) {
    for (TsigKeyAlgorithm a : values()) {
      if (a.engine == algorithm) {
        return a;
      }
    }
    throw new IllegalArgumentException("no API value for " + algorithm);
  }

  @Override
  public String toString() {
    return bindName();
  }
}
