package io.dnsupdate.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 1982 serial arithmetic, including the wrap at 2^32. */
class SoaSerialTest {
  @Test
  void laterWithinHalfTheSpace() {
    assertThat(SoaSerial.later(2, 1)).isTrue();
    assertThat(SoaSerial.later(1, 2)).isFalse();
    assertThat(SoaSerial.later(5, 5)).isFalse();
    assertThat(SoaSerial.reached(5, 5)).isTrue();
    assertThat(SoaSerial.reached(2026120601L, 2026120600L)).isTrue();
    assertThat(SoaSerial.reached(2026120600L, 2026120601L)).isFalse();
  }

  @Test
  void wrapsAround() {
    long max = 0xFFFF_FFFFL;
    assertThat(SoaSerial.later(0, max)).as("0 follows 2^32-1").isTrue();
    assertThat(SoaSerial.later(10, max - 10)).isTrue();
    assertThat(SoaSerial.reached(max - 10, 10)).isFalse();
  }

  @Test
  void serialsHalfTheSpaceApartAreNotLaterEitherWay() {
    long a = 100;
    long b = 100 + (1L << 31);
    assertThat(SoaSerial.later(a, b)).isFalse();
    assertThat(SoaSerial.later(b, a)).isFalse();
  }
}
