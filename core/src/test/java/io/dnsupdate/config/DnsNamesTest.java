package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.config.DnsNames.Labels;
import io.dnsupdate.config.DnsNames.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one DNS name syntax check, for domains (LDH) and challenge names (with underscores). */
class DnsNamesTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| ROOT| ''",
        "a..example.com| EMPTY_LABEL| ''",
        ".example.com| EMPTY_LABEL| ''",
        "example.com.| EMPTY_LABEL| ''",
        "-x.example.com| BAD_LABEL| -x",
        "x-.example.com| BAD_LABEL| x-",
        "ex ample.com| BAD_LABEL| ex ample",
        "x\\046y.example.com| BAD_LABEL| x\\046y",
        "_acme-challenge.example.com| BAD_LABEL| _acme-challenge",
        "caf\u00e9.example.com| BAD_LABEL| caf\u00e9"
      })
  void firstProblemWithItsLabel(String name, Problem problem, String label) {
    assertThat(DnsNames.check(name, Labels.LDH)).contains(new DnsNames.Violation(problem, label));
  }

  @Test
  void lengths() {
    String label63 = "a".repeat(63);
    assertThat(DnsNames.check(label63 + ".com", Labels.LDH)).isEmpty();
    assertThat(DnsNames.check(label63 + "a.com", Labels.LDH))
        .contains(new DnsNames.Violation(Problem.LONG_LABEL, label63 + "a"));
    String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
    assertThat(name253).hasSize(253);
    assertThat(DnsNames.check(name253, Labels.LDH)).isEmpty();
    assertThat(DnsNames.check(name253 + "a", Labels.LDH).orElseThrow().problem())
        .isEqualTo(Problem.TOO_LONG);
  }

  @ParameterizedTest
  @CsvSource({"_acme-challenge.example.com", "_x._acme-challenge.example.com", "a_b.example.com"})
  void underscoreLabelsOnlyWhereAllowed(String name) {
    assertThat(DnsNames.check(name, Labels.UNDERSCORE)).isEmpty();
    assertThat(DnsNames.check(name, Labels.LDH).orElseThrow().problem())
        .isEqualTo(Problem.BAD_LABEL);
  }

  @Test
  void labelsLongerThan63NeverMatch() {
    assertThat(Labels.LDH.matches("a".repeat(63))).isTrue();
    assertThat(Labels.LDH.matches("a".repeat(64))).isFalse();
    assertThat(Labels.UNDERSCORE.matches("_" + "a".repeat(63))).isFalse();
  }
}
