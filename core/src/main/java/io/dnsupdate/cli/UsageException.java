package io.dnsupdate.cli;

/**
 * A command line or environment variable that cannot be used, or a request for help. The message
 * names every problem and ends with the usage text; a process prints it and exits with {@link
 * #exitCode()}.
 */
public class UsageException extends IllegalArgumentException {
  /** The exit code of a usage error, as shells and {@code sysexits.h}-minded tools expect. */
  public static final int USAGE_ERROR = 2;

  private final boolean helpRequested;

  public UsageException(String message) {
    this(message, false);
  }

  private UsageException(String message, boolean helpRequested) {
    super(message);
    this.helpRequested = helpRequested;
  }

  /** {@code -h} or {@code --help} was given: print the usage (the message) and exit 0. */
  public static UsageException help(String usage) {
    return new UsageException(usage, true);
  }

  public boolean helpRequested() {
    return helpRequested;
  }

  /** 0 for a help request, {@value #USAGE_ERROR} for a usage error. */
  public int exitCode() {
    return helpRequested ? 0 : USAGE_ERROR;
  }
}
