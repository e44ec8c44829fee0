package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "90s, PT1M30S",
    "1h30m, PT1H30M",
    "720h, PT720H",
    "1.5h, PT1H30M",
    "500ms, PT0.5S",
    "2m0.25s, PT2M0.25S",
    "100us, PT0.0001S",
    "7ns, PT0.000000007S",
    "0s, PT0S",
    "PT90S, PT1M30S",
    "pt10s, PT10S",
    "P30D, PT720H",
    "P1DT12H, PT36H",
    "PT1.5S, PT1.5S",
    "' 10s ', PT10S",
  })
  void parsesGoAndIsoDurations(String text, String expected) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10", "10 s", "1d", "30days", "-5s", "P", "PT", "P1W", "P1Y", "1h-30m", "s", "1.s"
      })
  void rejectsOtherTextNamingTheForms(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("90s")
        .hasMessageContaining("P30D");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void rejectsEmpty(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).hasMessage("duration is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999h", "9999999999999999999s"})
  void rejectsOverlongDurations(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "PT0S, 0s",
    "PT45S, 45s",
    "PT1H30M, 1h30m",
    "PT720H, 720h",
    "PT0.25S, 250ms",
    "PT1.5S, 1.5s",
    "PT1H0.5S, 1h0.5s",
  })
  void formatsGoStyleAndRoundTrips(String iso, String go) {
    Duration d = Duration.parse(iso);
    assertThat(Durations.format(d)).isEqualTo(go);
    assertThat(Durations.parse(go)).isEqualTo(d);
  }
}
