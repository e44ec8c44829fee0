package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

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
  private static final Path LOCK_DIR =
      Path.of(System.getProperty("java.io.tmpdir"), "dnsupdate-testkit-ports");

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
    try {
      Files.createDirectories(LOCK_DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < ATTEMPTS; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      PortReservation held = tryLock(candidate);
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

  private static PortReservation tryLock(int candidate) {
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
      return new PortReservation(candidate, ch, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(ch); // held by this JVM already
      return null;
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

  /** Releases the reservation (the port itself is whatever the server left it). */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // closing the channel releases it anyway
    }
    closeQuietly(channel);
  }
}
