package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortReservationTest {
  @Test
  void aReleasedPortLeavesNoFile() {
    Path file;
    try (PortReservation held = PortReservation.reserve()) {
      file = PortReservation.LOCK_DIR.resolve(held.port() + ".lock");
      assertThat(file).exists();
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void portsHeldByThisJvmAreNeverHandedOutTwiceNorSwept() {
    List<PortReservation> held = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        held.add(PortReservation.reserve());
      }
      PortReservation.sweep();

      assertThat(held).extracting(PortReservation::port).doesNotHaveDuplicates();
      assertThat(held)
          .allSatisfy(
              r -> assertThat(PortReservation.LOCK_DIR.resolve(r.port() + ".lock")).exists());
    } finally {
      held.forEach(PortReservation::close);
    }
  }

  @Test
  void theFileOfAKilledJvmIsSwept() throws Exception {
    Path stale = Files.createDirectories(PortReservation.LOCK_DIR).resolve("31999.lock");
    Files.writeString(stale, "");

    PortReservation.sweep();

    assertThat(stale).doesNotExist();
  }
}
