package io.dnsupdate.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void controlCharactersAndNonAsciiBecomeQuestionMarks() {
    assertThat(LogSafe.of("alice\n12:00 INFO forged\r\u001b[2Jcaf\u00e9"))
        .isEqualTo("alice?12:00 INFO forged??[2Jcaf?");
  }

  @Test
  void oneQuestionMarkPerCharacterBeyondTheBasicPlaneAndPerLoneSurrogate() {
    assertThat(LogSafe.printable("a\uD83D\uDE00b\uD800c\u007f")).isEqualTo("a?b?c?");
  }

  @Test
  void quotesCannotCloseAQuotedField() {
    assertThat(LogSafe.of("x\" forged=\"1\ttab")).isEqualTo("x' forged='1?tab");
  }

  @Test
  void ordinaryNamesStayAsTheyAre() {
    assertThat(LogSafe.of("system:serviceaccount:cert-manager:cert-manager"))
        .isEqualTo("system:serviceaccount:cert-manager:cert-manager");
  }

  @Test
  void longValuesAreCut() {
    assertThat(LogSafe.of("a".repeat(500))).hasSize(LogSafe.MAX + 3).endsWith("...");
  }

  @Test
  void listsAndNulls() {
    assertThat(LogSafe.of(List.of("system:authenticated", "evil\ngroup")))
        .isEqualTo("[system:authenticated, evil?group]");
    assertThat(LogSafe.of((String) null)).isEqualTo("null");
    assertThat(LogSafe.of(Arrays.asList("a", null))).isEqualTo("[a, null]");
    assertThat(LogSafe.of((List<String>) null)).isEqualTo("[]");
  }
}
