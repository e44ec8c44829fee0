package io.dnsupdate.operator.runtime;

/** A command line or environment variable the operator cannot use; the message says which. */
public class UsageException extends IllegalArgumentException {
  private final boolean helpRequested;

  public UsageException(String message) {
    this(message, false);
  }

  private UsageException(String message, boolean helpRequested) {
    super(message);
    this.helpRequested = helpRequested;
  }

  /** {@code --help} was given: print the usage and exit successfully. */
  public static UsageException help() {
    return new UsageException("help requested", true);
  }

  public boolean helpRequested() {
    return helpRequested;
  }
}
