package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Starting and watching a nameserver process in the foreground, its output in a log file in its
 * work directory: what {@link NamedServer}, {@link KnotServer} and {@link PowerDnsServer} share.
 */
final class ServerProcess {

  private ServerProcess() {}

  /** Starts the command in {@code workDir}, stdout and stderr appended to {@code logFile}. */
  static Process start(List<String> command, Path workDir, Path logFile) {
    List<String> cmd = new java.util.ArrayList<>(command);
    cmd.set(0, Commands.executable(cmd.get(0)));
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      Commands.track(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd.get(0), e);
    }
  }

  /**
   * Waits until the log written since {@code offset} satisfies {@code ready}.
   *
   * @throws StartFailure when the process exits first
   * @throws ConditionTimeoutException when the deadline passes
   */
  static void awaitLog(
      Process p,
      Path logFile,
      long offset,
      Predicate<String> ready,
      String what,
      Duration timeout) {
    Waits.within(what, timeout)
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new StartFailure(what + ": the process exited with status " + p.exitValue());
              }
              return ready.test(Commands.since(logFile, offset));
            });
  }

  /**
   * Waits until every zone answers its SOA authoritatively over TCP.
   *
   * @throws IllegalStateException naming the zone and its last answer
   */
  static void awaitZones(
      AuthoritativeServer server, Process p, Collection<String> zones, Duration timeout) {
    for (String zone : zones) {
      String[] last = {"no answer yet"};
      try {
        Waits.within("SOA " + zone, timeout)
            .until(
                () -> {
                  if (!p.isAlive()) {
                    throw new StartFailure("the server exited with status " + p.exitValue());
                  }
                  try {
                    Message m = server.query(zone, Type.SOA);
                    last[0] = Rcode.string(m.getRcode()) + " aa=" + m.getHeader().getFlag(Flags.AA);
                    return m.getRcode() == Rcode.NOERROR
                        && m.getHeader().getFlag(Flags.AA)
                        && m.getSection(Section.ANSWER).stream()
                            .anyMatch(r -> r.getType() == Type.SOA);
                  } catch (UncheckedIOException e) {
                    last[0] = String.valueOf(e.getCause());
                    return false;
                  }
                });
      } catch (ConditionTimeoutException e) {
        throw new IllegalStateException(
            "zone " + zone + " did not answer SOA within " + timeout + " (last: " + last[0] + ")");
      } catch (StartFailure e) {
        throw new IllegalStateException(e.getMessage());
      }
    }
  }

  /** The last {@code lines} lines logged since {@code offset}. */
  static String logTail(Path logFile, long offset, int lines) {
    List<String> all = Commands.since(logFile, offset).lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * Stops the process (SIGTERM, SIGKILL after the grace), releases its port and deletes its work
   * directory unless {@link Commands#keepWorkDirs()}.
   */
  static void shutDown(Process p, Duration grace, PortReservation port, Path workDir) {
    try {
      Commands.terminate(p, grace);
    } finally {
      port.close();
      if (!Commands.keepWorkDirs()) {
        Commands.deleteTree(workDir);
      }
    }
  }

  /** Creates a server's files (may throw IOException). */
  interface Setup<S> {
    S create() throws IOException;
  }

  /**
   * Creates and launches a server on freshly reserved ports, again on other ports (up to {@code
   * attempts} times) when a port turns out to be taken; a server that fails is closed.
   */
  static <S extends AutoCloseable> S startOnFreePorts(
      Setup<S> setup, java.util.function.Consumer<S> launch, int attempts) {
    for (int attempt = 1; ; attempt++) {
      S s;
      try {
        s = setup.create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        launch.accept(s);
        return s;
      } catch (PortClash e) {
        closeQuietly(s);
        if (attempt >= attempts) {
          throw new IllegalStateException(e.getMessage());
        }
      } catch (RuntimeException e) {
        closeQuietly(s);
        throw e;
      }
    }
  }

  private static void closeQuietly(AutoCloseable s) {
    try {
      s.close();
    } catch (Exception e) {
      // the start failure says more
    }
  }

  /** The zone name without its trailing dot (the root stays "."). */
  static String stripDot(String zone) {
    return zone.endsWith(".") && zone.length() > 1 ? zone.substring(0, zone.length() - 1) : zone;
  }
}
