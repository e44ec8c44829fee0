package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunningOperatorTest {
  @Test
  void losingTheLeaseMakesTheProcessUnhealthyAndEndsItWithOne() throws Exception {
    RunningOperator running = new RunningOperator();
    running.started();
    running.startedLeading();
    assertThat(running.healthy()).isTrue();
    assertThat(running.leader()).isTrue();

    running.stoppedLeading();

    assertThat(running.healthy()).isFalse();
    assertThat(running.leader()).isFalse();
    assertThat(running.state()).isEqualTo(RunningOperator.State.LEADERSHIP_LOST);
    assertThat(running.awaitTermination()).isEqualTo(1);
  }

  @Test
  void aDeliberateCloseIsNotALostLease() throws Exception {
    RunningOperator running = new RunningOperator();
    running.started();
    running.startedLeading();

    running.close();
    running.stoppedLeading();

    assertThat(running.state()).isEqualTo(RunningOperator.State.CLOSED);
    assertThat(running.awaitTermination()).isZero();
  }
}
