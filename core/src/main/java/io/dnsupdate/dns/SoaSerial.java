package io.dnsupdate.dns;

/**
 * SOA serial arithmetic (RFC 1982): serials are 32-bit and wrap, so "later" is decided within half
 * the number space, and two serials 2^31 apart cannot be compared at all.
 */
public final class SoaSerial {
  private static final long HALF = 1L << 31;
  private static final long MASK = 0xFFFF_FFFFL;

  private SoaSerial() {}

  /** True when {@code observed} is {@code target} or later. */
  public static boolean reached(long observed, long target) {
    return observed == target || later(observed, target);
  }

  /** True when {@code a} is later than {@code b} (RFC 1982 §3.2). */
  public static boolean later(long a, long b) {
    long x = a & MASK;
    long y = b & MASK;
    return (x < y && y - x > HALF) || (x > y && x - y < HALF);
  }
}
