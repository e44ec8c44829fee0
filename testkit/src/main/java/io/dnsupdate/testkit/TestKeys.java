package io.dnsupdate.testkit;

import java.util.List;

/** The fixed, test-only TSIG keys that the standard BIND fixture knows. */
public final class TestKeys {

  private TestKeys() {}

  /** hmac-sha256 key allowed TXT at the standard _acme-challenge names (see StandardZones). */
  public static final TestTsigKey ACME =
      new TestTsigKey("acme-key.", "hmac-sha256", "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE=");

  /** hmac-sha256 key allowed everything in every standard zone ({@code zonesub ANY}). */
  public static final TestTsigKey ADMIN =
      new TestTsigKey("admin-key.", "hmac-sha256", "H6e8okxDMqWRMu/CRP5O8NoNE/6tbT32l+ksCfgiFFA=");

  /** hmac-sha512 key with the same challenge-name grants as {@link #ACME} (not the bench one). */
  public static final TestTsigKey ACME512 =
      new TestTsigKey(
          "acme512-key.",
          "hmac-sha512",
          "G6KkR5XUfH078z5FX+3wISlbsd65QLY2oPPq3djEzaRr1NJFBuIkYYCxn3lYJe7qjPWOolK0tBx7TNU4dl6r4w==");

  /** Every key above. */
  public static List<TestTsigKey> all() {
    return List.of(ACME, ADMIN, ACME512);
  }
}
