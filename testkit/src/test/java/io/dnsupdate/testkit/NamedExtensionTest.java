package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NamedExtension.class)
class NamedExtensionTest {

  private static NamedServer fromBeforeAll;

  @BeforeAll
  static void remember(NamedServer named) {
    fromBeforeAll = named;
  }

  @Test
  void injectsTheRunningStandardPrimary(NamedServer named) {
    assertThat(named).isSameAs(fromBeforeAll);
    assertThat(named.isRunning()).isTrue();
    assertThat(named.zones()).containsExactly(StandardZones.EXAMPLE, StandardZones.OTHER);
    assertThat(named.tlsServerName()).isEqualTo("ns1.example.test");
  }

  @Test
  void primaryOnlyHasNoSecondary() {
    assertThatThrownBy(() -> NamedExtension.primaryOnly().secondary())
        .isInstanceOf(IllegalStateException.class);
  }

  @Nested
  class InANestedClass {
    @Test
    void theOuterClassServerIsShared(NamedServer named) {
      assertThat(named).isSameAs(fromBeforeAll);
    }
  }
}
