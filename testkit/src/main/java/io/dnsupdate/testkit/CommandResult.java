package io.dnsupdate.testkit;

/** Exit code and combined stdout/stderr of an external command (nsupdate, rndc, kdig, ...). */
public record CommandResult(int exitCode, String output) {

  /** True when the command exited with 0. */
  public boolean ok() {
    return exitCode == 0;
  }
}
