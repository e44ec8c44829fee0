package io.dnsupdate.e2e.demo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One demo at a time per output directory: a second demo with the same {@code --out} is refused
 * before it starts anything, instead of silently overwriting the first one's certificate.
 *
 * <p>The claim is an OS lock on {@code DIR/.demo.lock}, so a demo that dies (even by {@code kill
 * -9}) releases it. The empty file stays: deleting a lock file safely needs more than Java's locks
 * offer (a second demo may already hold the deleted file open), and one file per directory cannot
 * pile up.
 */
public final class OutputClaim implements AutoCloseable {
  static final String LOCK_FILE = ".demo.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private OutputClaim(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when another demo holds the directory. */
  public static final class Busy extends Exception {
    Busy(String message) {
      super(message);
    }
  }

  /**
   * Creates {@code dir} when missing and claims it.
   *
   * @throws Busy when another demo (in this JVM or another) holds it, naming the way out
   */
  public static OutputClaim claim(Path dir) throws IOException, Busy {
    Files.createDirectories(dir);
    FileChannel channel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new Busy(
          "another demo is writing to "
              + dir.toAbsolutePath()
              + " right now; wait for it to finish, or give this one its own directory with"
              + " --out DIR");
    }
    return new OutputClaim(channel, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
