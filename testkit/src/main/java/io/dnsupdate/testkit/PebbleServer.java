package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.awaitility.core.ConditionTimeoutException;

/** A real Pebble ACME server on 127.0.0.1 that validates dns-01 against a given DNS server. */
public final class PebbleServer implements AutoCloseable {

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;

  private final Path workDir;
  private final Path logFile;
  private final TestPki tlsCa;
  private final Path tlsCaPem;
  private final List<PortReservation> reservations = new ArrayList<>();
  private final int port;
  private final int managementPort;
  private final HttpClient http;
  private Process process;
  private boolean closed;

  private PebbleServer(Builder b) throws IOException {
    PortReservation listen = reserve();
    PortReservation mgmt = reserve();
    // Pebble only connects to these (http-01 / tls-alpn-01 validation); free ones keep it from
    // ever reaching an unrelated local service.
    PortReservation httpChallenge = reserve();
    PortReservation tlsChallenge = reserve();
    this.port = listen.port();
    this.managementPort = mgmt.port();
    this.workDir = Files.createTempDirectory("pebble-");
    this.logFile = workDir.resolve("pebble.log");
    // Debian's pebble ships no certificate: make one for both names clients may use.
    this.tlsCa = TestPki.newCa("testkit Pebble HTTPS CA");
    IssuedCertificate cert =
        tlsCa.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
    Path certFile = cert.writeChainPem(workDir.resolve("cert.pem"));
    Path keyFile = cert.writeKeyPem(workDir.resolve("key.pem"));
    this.tlsCaPem = tlsCa.writeCertPem(workDir.resolve("ca.pem"));
    String config =
        "{\n  \"pebble\": {\n"
            + "    \"listenAddress\": \"127.0.0.1:"
            + port
            + "\",\n"
            + "    \"managementListenAddress\": \"127.0.0.1:"
            + managementPort
            + "\",\n"
            + "    \"certificate\": \""
            + certFile
            + "\",\n"
            + "    \"privateKey\": \""
            + keyFile
            + "\",\n"
            + "    \"httpPort\": "
            + httpChallenge.port()
            + ",\n"
            + "    \"tlsPort\": "
            + tlsChallenge.port()
            + ",\n"
            + "    \"ocspResponderURL\": \"\",\n"
            + "    \"externalAccountBindingRequired\": false\n"
            + "  }\n}\n";
    Files.writeString(workDir.resolve("pebble-config.json"), config);
    this.http =
        HttpClient.newBuilder()
            .sslContext(tlsCa.sslContext())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private PortReservation reserve() {
    PortReservation r = PortReservation.reserve("127.0.0.1");
    reservations.add(r);
    return r;
  }

  /** A builder; set at least the DNS server. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts Pebble resolving (and validating dns-01) against the given named. */
  public static PebbleServer start(NamedServer dns) {
    return builder().dnsServer(dns.socketAddress()).start();
  }

  /** Starts Pebble resolving (and validating dns-01) against the given DNS server. */
  public static PebbleServer start(InetSocketAddress dns) {
    return builder().dnsServer(dns).start();
  }

  private void launch(Builder b) {
    List<String> cmd =
        List.of(
            Commands.executable("pebble"),
            "-config",
            workDir.resolve("pebble-config.json").toString(),
            "-dnsserver",
            b.dnsServer.getHostString() + ":" + b.dnsServer.getPort(),
            "-strict=false");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Map<String, String> env = pb.environment();
    // Real validation, always: a test that passes because Pebble skipped the DNS check proves
    // nothing.
    env.remove("PEBBLE_VA_ALWAYS_VALID");
    env.put("PEBBLE_VA_NOSLEEP", "1");
    env.put("PEBBLE_WFE_NONCEREJECT", "0");
    env.put("PEBBLE_AUTHZREUSE", "0");
    env.putAll(b.env);
    try {
      process = pb.start();
      Commands.track(process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start pebble", e);
    }
    Process p = process;
    try {
      Waits.within("pebble /dir", b.startTimeout)
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new StartFailure("pebble exited with status " + p.exitValue());
                }
                try {
                  return get(directoryUrl()).statusCode() == 200;
                } catch (UncheckedIOException notYetListening) {
                  return false;
                }
              });
    } catch (ConditionTimeoutException | StartFailure e) {
      Commands.terminate(process, STOP_GRACE);
      String tail = Commands.tail(logFile, 40);
      String msg =
          (e instanceof StartFailure ? e.getMessage() : "pebble /dir did not answer in time")
              + " ("
              + workDir
              + ")\n--- pebble log (tail) ---\n"
              + tail;
      throw tail.contains("address already in use")
          ? new PortClash(msg)
          : new IllegalStateException(msg);
    }
  }

  private HttpResponse<String> get(URI uri) {
    try {
      return http.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The ACME directory, {@code https://127.0.0.1:PORT/dir}. */
  public URI directoryUrl() {
    return URI.create("https://127.0.0.1:" + port + "/dir");
  }

  /** The ACME port. */
  public int port() {
    return port;
  }

  /** The management port (roots, intermediates). */
  public int managementPort() {
    return managementPort;
  }

  /** The CA of Pebble's HTTPS certificate (not of the certificates it issues). */
  public TestPki tlsCa() {
    return tlsCa;
  }

  /** PEM file of {@link #tlsCa()}. */
  public Path tlsCaPemFile() {
    return tlsCaPem;
  }

  /** A client TLS context that trusts Pebble's HTTPS endpoints. */
  public SSLContext sslContext() {
    return tlsCa.sslContext();
  }

  /** Pebble's directory: config, certificate, log. */
  public Path workDir() {
    return workDir;
  }

  /** Pebble's output. */
  public Path logFile() {
    return logFile;
  }

  /** The roots Pebble issues under (fresh each start), from the management interface. */
  public List<X509Certificate> rootCertificates() {
    return managementPem("/roots/0");
  }

  /** The intermediates Pebble issues under, from the management interface. */
  public List<X509Certificate> intermediateCertificates() {
    return managementPem("/intermediates/0");
  }

  private List<X509Certificate> managementPem(String path) {
    HttpResponse<String> r = get(URI.create("https://127.0.0.1:" + managementPort + path));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return Pem.parseCertificates(r.body());
  }

  /** Stops Pebble, releases its ports and deletes its directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Commands.terminate(process, STOP_GRACE);
    reservations.forEach(PortReservation::close);
    if (!Commands.keepWorkDirs()) {
      Commands.deleteTree(workDir);
    }
  }

  @Override
  public String toString() {
    return "pebble@127.0.0.1:" + port + " in " + workDir;
  }

  /** Configures and starts a {@link PebbleServer}. */
  public static final class Builder {
    private InetSocketAddress dnsServer;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /** The DNS server Pebble resolves with (dns-01 TXT, CAA); required. */
    public Builder dnsServer(InetSocketAddress dns) {
      this.dnsServer = Objects.requireNonNull(dns);
      return this;
    }

    /**
     * An extra environment variable, e.g. {@code PEBBLE_CHAIN_LENGTH}; PEBBLE_VA_ALWAYS_VALID is
     * refused.
     */
    public Builder env(String name, String value) {
      if (name.equals("PEBBLE_VA_ALWAYS_VALID")) {
        throw new IllegalArgumentException("tests must validate for real");
      }
      env.put(name, value);
      return this;
    }

    /** How long to wait for /dir (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Starts Pebble and waits until GET /dir answers 200. */
    public PebbleServer start() {
      Objects.requireNonNull(dnsServer, "dnsServer");
      for (int attempt = 1; ; attempt++) {
        PebbleServer s;
        try {
          s = new PebbleServer(this);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        try {
          s.launch(this);
          return s;
        } catch (PortClash e) {
          s.close();
          if (attempt >= START_ATTEMPTS) {
            throw new IllegalStateException(e.getMessage());
          }
        } catch (RuntimeException e) {
          // The message carries the log tail; -Ddnsupdate.testkit.keep=true keeps the directory.
          s.close();
          throw e;
        }
      }
    }
  }
}
