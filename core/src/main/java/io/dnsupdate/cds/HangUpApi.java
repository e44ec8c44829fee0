package io.dnsupdate.cds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server of a dry start for a class-data archive: a loopback listener that reads what a
 * client sends first (its TLS ClientHello) and hangs up, so the Kubernetes client and its TLS
 * handshake run as far as they can without a server. An image build has no API server; JDK 17
 * archives only the classes a run loaded ({@code -XX:ArchiveClassesAtExit}).
 */
public final class HangUpApi implements AutoCloseable {
  /** The namespace the kubeconfig of {@link #writeKubeconfig} selects. */
  public static final String NAMESPACE = "cds-training";

  private static final Logger log = LoggerFactory.getLogger(HangUpApi.class);

  private final ServerSocket socket;
  private final Path dir;

  private HangUpApi(ServerSocket socket, Path dir) {
    this.socket = socket;
    this.dir = dir;
  }

  /** Listens, and makes a directory for the dry start's files (deleted by {@link #close}). */
  public static HangUpApi start() {
    ServerSocket socket;
    Path dir;
    try {
      dir = Files.createTempDirectory("dnsupdate-cds-training");
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread t = new Thread(() -> serve(socket), "cds-training-api");
    t.setDaemon(true);
    t.start();
    return new HangUpApi(socket, dir);
  }

  /** Where the dry start may write its files (a kubeconfig, a certificate). */
  public Path dir() {
    return dir;
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** A kubeconfig for this listener with a token that nothing checks, in {@link #dir}. */
  public Path writeKubeconfig() {
    try {
      return Files.writeString(
          dir.resolve("kubeconfig"),
          String.join(
              "\n",
              "apiVersion: v1",
              "kind: Config",
              "clusters:",
              "- name: training",
              "  cluster: {server: 'https://127.0.0.1:"
                  + port()
                  + "', insecure-skip-tls-verify: true}",
              "users:",
              "- name: training",
              "  user: {token: training}",
              "contexts:",
              "- name: training",
              "  context: {cluster: training, user: training, namespace: " + NAMESPACE + "}",
              "current-context: training",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void serve(ServerSocket socket) {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        s.setSoTimeout(2_000);
        InputStream in = s.getInputStream();
        in.read(new byte[16_384]);
      } catch (IOException e) {
        // closed, or the client gave up first: either way the next one
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing held
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
