package io.dnsupdate.webhook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cheap timestamp writes what {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}} writes. */
class IsoTimestampConverterTest {
  @ParameterizedTest
  @ValueSource(strings = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu"})
  void sameTextAsTheDatePattern(String zoneName) {
    ZoneId zone = ZoneId.of(zoneName);
    DateTimeFormatter expected =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(zone);
    IsoTimestampConverter converter = new IsoTimestampConverter(zone);
    Random random = new Random(42);
    // around a daylight-saving change, then in order within one second, then anywhere
    long t = Instant.parse("2026-03-29T00:59:58.990Z").toEpochMilli();
    for (int i = 0; i < 3000; i++, t += 1 + random.nextInt(3)) {
      assertThat(converter.format(t)).isEqualTo(expected.format(Instant.ofEpochMilli(t)));
    }
    for (int i = 0; i < 10_000; i++) {
      long any = random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
      assertThat(converter.format(any)).isEqualTo(expected.format(Instant.ofEpochMilli(any)));
    }
  }
}
