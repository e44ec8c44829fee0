package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

  @Test
  void splitsPlainAndSingleQuotedWords() {
    assertThat(ShellWords.split("pdnsutil  import-tsig-key k. hmac-sha256 'a+b/c=='"))
        .containsExactly("pdnsutil", "import-tsig-key", "k.", "hmac-sha256", "a+b/c==");
    assertThat(ShellWords.split("a'b c'd")).containsExactly("ab cd");
  }

  @Test
  void refusesWhatAShellWouldExpand() {
    for (String line : new String[] {"echo $HOME", "a \"b\"", "a; b", "a | b", "a > f", "'open"}) {
      assertThatThrownBy(() -> ShellWords.split(line))
          .as(line)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
