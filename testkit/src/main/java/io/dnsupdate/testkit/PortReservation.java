package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** A TCP+UDP port, free on some loopback addresses, held for this JVM until closed. */
public final class PortReservation implements AutoCloseable {

  // Below Linux's ephemeral range (32768-60999): outgoing sockets of named, Pebble and the tests
  // themselves take ports from there, so a listener chosen there could collide with them later.
  private static final int LOW = 20000;
  private static final int HIGH = 32000;
  private static final int ATTEMPTS = 500;

  // A lock file per port, shared by every JVM on the machine: a port that is merely free at the
  // moment of the check can be taken by a parallel build before our server binds it, and BIND
  // would not even notice (with SO_REUSEPORT two named processes share a port silently).
  static final Path LOCK_DIR =
      Path.of(System.getProperty("java.io.tmpdir"), "dnsupdate-testkit-ports");

  // Port files are deleted on release, so that none are left behind. Creating-and-locking and
  // deleting happen under this directory-wide lock: otherwise one JVM could lock a file that
  // another has just unlinked, and two would hold "the same" port. It is held for microseconds.
  private static final String DIRECTORY_LOCK = ".directory.lock";

  // POSIX locks belong to the process, and closing any channel on a file drops every lock the
  // process holds on it: so this JVM never opens the file of a port it holds, and takes the
  // directory lock from one thread at a time.
  private static final Set<Integer> HELD = new HashSet<>();
  private static final Object IN_JVM = new Object();
  private static boolean swept;

  private final int port;
  private final FileChannel channel;
  private final FileLock lock;

  private PortReservation(int port, FileChannel channel, FileLock lock) {
    this.port = port;
    this.channel = channel;
    this.lock = lock;
  }

  /** Reserves a port that is free for TCP and UDP on every given address (default 127.0.0.1). */
  public static PortReservation reserve(String... addresses) {
    List<String> where = addresses.length == 0 ? List.of("127.0.0.1") : List.of(addresses);
    sweepOnce();
    for (int i = 0; i < ATTEMPTS; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      PortReservation held = underDirectoryLock(() -> tryLock(candidate));
      if (held == null) {
        continue;
      }
      if (bindable(candidate, where)) {
        return held;
      }
      held.close();
    }
    throw new IllegalStateException("no free port on " + where + " after " + ATTEMPTS + " tries");
  }

  private static void sweepOnce() {
    synchronized (IN_JVM) {
      if (swept) {
        return;
      }
      swept = true;
    }
    sweep();
  }

  /** Removes the files of ports no process holds (left by a JVM that was killed). */
  static void sweep() {
    underDirectoryLock(
        () -> {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(LOCK_DIR, "*.lock")) {
            for (Path file : files) {
              String name = file.getFileName().toString();
              if (name.equals(DIRECTORY_LOCK)
                  || HELD.contains(Integer.valueOf(name.substring(0, name.indexOf('.'))))) {
                continue;
              }
              try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock != null) {
                  Files.deleteIfExists(file);
                }
              } catch (IOException | NumberFormatException e) {
                // held elsewhere, gone already, or not ours: leave it
              }
            }
          } catch (IOException e) {
            // sweeping is a courtesy; reserving works without it
          }
          return null;
        });
  }

  private static <T> T underDirectoryLock(Supplier<T> action) {
    synchronized (IN_JVM) {
      try {
        Files.createDirectories(LOCK_DIR);
        try (FileChannel dir =
                FileChannel.open(
                    LOCK_DIR.resolve(DIRECTORY_LOCK),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock ignored = dir.lock()) {
          return action.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + LOCK_DIR, e);
      }
    }
  }

  private static PortReservation tryLock(int candidate) {
    if (HELD.contains(candidate)) {
      return null;
    }
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              LOCK_DIR.resolve(candidate + ".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        return null;
      }
      HELD.add(candidate);
      return new PortReservation(candidate, ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      return null;
    }
  }

  private static boolean bindable(int port, List<String> addresses) {
    for (String address : addresses) {
      try {
        InetSocketAddress sa = new InetSocketAddress(InetAddress.getByName(address), port);
        try (ServerSocket tcp = new ServerSocket()) {
          tcp.bind(sa);
        }
        try (DatagramSocket udp = new DatagramSocket(null)) {
          udp.bind(sa);
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to release
      }
    }
  }

  /** The reserved port number. */
  public int port() {
    return port;
  }

  /**
   * Releases the reservation and deletes its file (the port itself is whatever the server left).
   */
  @Override
  public void close() {
    underDirectoryLock(
        () -> {
          if (!HELD.remove(port)) {
            return null; // closed before
          }
          try {
            Files.deleteIfExists(LOCK_DIR.resolve(port + ".lock"));
          } catch (IOException ignored) {
            // left for the next sweep
          }
          try {
            if (lock.isValid()) {
              lock.release();
            }
          } catch (IOException ignored) {
            // closing the channel releases it anyway
          }
          closeQuietly(channel);
          return null;
        });
  }
}
