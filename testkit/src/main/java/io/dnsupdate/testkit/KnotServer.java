package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Knot DNS {@code knotd} in the foreground, configured from scratch in its own temp dir:
 * primary zones from zone-file text, configuration snippets included as they are (e.g. the
 * operator's rendered {@code knot.conf}), acl ids attached to a zone. Every zone also allows AXFR
 * from 127.0.0.0/8, so tests can list what it holds.
 */
public final class KnotServer implements AuthoritativeServer {

  /** The fixture's own acl: zone transfers to the tests, nothing else. */
  public static final String TRANSFER_ACL = "testkit-transfer";

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;

  private final String address;
  private final PortReservation portReservation;
  private final int port;
  private final Duration startTimeout;
  private final Path workDir;
  private final Path confFile;
  private final Path logFile;
  private final Path controlSocket;
  private final Map<String, List<String>> zoneAcls = new LinkedHashMap<>();
  private final List<Path> includes = new ArrayList<>();

  private Process process;
  private boolean closed;

  private KnotServer(Builder b) throws IOException {
    this.address = b.address;
    this.portReservation = PortReservation.reserve(address);
    this.port = portReservation.port();
    this.startTimeout = b.startTimeout;
    this.workDir = Files.createTempDirectory("knot-");
    this.confFile = workDir.resolve("knot.conf");
    this.logFile = workDir.resolve("knotd.log");
    this.controlSocket = workDir.resolve("knot.sock");
    Files.createDirectories(workDir.resolve("zones"));
    Files.createDirectories(workDir.resolve("db"));
    for (Map.Entry<String, String> z : b.zones.entrySet()) {
      Files.writeString(
          zoneFile(z.getKey()), "$ORIGIN " + z.getKey() + ".\n$TTL 60\n" + z.getValue() + "\n");
      zoneAcls.put(z.getKey(), new ArrayList<>(b.zoneAcls.getOrDefault(z.getKey(), List.of())));
    }
    includes.addAll(b.includes);
  }

  /** A builder for a server on 127.0.0.1 with a free port and no zones. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The server's own directory: knot.conf, knotd.log, zones/, db/. */
  public Path workDir() {
    return workDir;
  }

  /** The generated knot.conf. */
  public Path configFile() {
    return confFile;
  }

  /** knotd's output. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Adds a top-level {@code include:} of a configuration snippet, as it is. Takes effect with
   * {@link #reload()}.
   */
  public synchronized KnotServer addInclude(Path snippet) {
    includes.add(snippet.toAbsolutePath());
    return this;
  }

  /** Attaches acl ids to a zone (after the fixture's own). Takes effect with {@link #reload()}. */
  public synchronized KnotServer addZoneAcl(String zone, String... aclIds) {
    List<String> acls = zoneAcls.get(ServerProcess.stripDot(zone));
    if (acls == null) {
      throw new IllegalArgumentException(this + " has no zone " + zone);
    }
    acls.addAll(List.of(aclIds));
    return this;
  }

  /**
   * Rewrites knot.conf and has knotd load it ({@code knotc reload}); returns once every zone
   * answers again.
   *
   * @throws IllegalStateException with knotc's answer and knotd's log when Knot rejects the config
   */
  public synchronized void reload() {
    writeConfig();
    CommandResult check = knotc("conf-check");
    if (!check.ok()) {
      throw new IllegalStateException(
          "knotc conf-check rejected the configuration:\n"
              + check.output()
              + "\n--- knot.conf ---\n"
              + numbered(confText()));
    }
    long offset = Commands.size(logFile);
    CommandResult r = knotc("reload");
    if (!r.ok()) {
      throw new IllegalStateException(
          "knotc reload failed: "
              + r.output()
              + "\n--- knotd log ---\n"
              + ServerProcess.logTail(logFile, offset, 40));
    }
    ServerProcess.awaitZones(this, process, zoneAcls.keySet(), startTimeout);
  }

  /**
   * Runs {@code knotc conf-check} on this server's configuration without its {@code zone:} section,
   * with {@code extra} appended, and changes nothing: whether Knot accepts a piece of text (zone
   * entries included) as written.
   */
  public synchronized CommandResult checkConfig(String extra) {
    try {
      Path candidate = Files.createTempFile(workDir, "check-", ".conf");
      try {
        Files.writeString(candidate, confText(false) + "\n" + extra + "\n");
        return Commands.run(
            List.of("knotc", "-c", candidate.toString(), "conf-check"),
            null,
            Duration.ofSeconds(30));
      } finally {
        Files.deleteIfExists(candidate);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code knotc} against this server's configuration and control socket. */
  public CommandResult knotc(String... args) {
    List<String> cmd = new ArrayList<>(List.of("knotc", "-c", confFile.toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, null, Duration.ofSeconds(30));
  }

  /** Stops knotd (SIGTERM, then waits). */
  public synchronized void stop() {
    Commands.terminate(process, STOP_GRACE);
  }

  /** Stops knotd, releases its port and deletes its directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerProcess.shutDown(process, STOP_GRACE, portReservation, workDir);
  }

  @Override
  public String toString() {
    return "knotd@" + address + ":" + port + " in " + workDir;
  }

  private Path zoneFile(String zone) {
    return workDir.resolve("zones").resolve(zone + ".zone");
  }

  private synchronized void launch() {
    writeConfig();
    long offset = Commands.size(logFile);
    process = ServerProcess.start(List.of("knotd", "-c", confFile.toString()), workDir, logFile);
    try {
      ServerProcess.awaitLog(
          process,
          logFile,
          offset,
          log -> log.contains("server started") || log.contains("failed to bind"),
          "knotd started",
          startTimeout);
    } catch (ConditionTimeoutException | StartFailure e) {
      throw startFailure("knotd did not start: " + e.getMessage(), offset);
    }
    String log = Commands.since(logFile, offset);
    if (log.contains("failed to bind") || log.contains("Address already in use")) {
      String tail = ServerProcess.logTail(logFile, offset, 20);
      stop();
      throw new PortClash(this + ": the port is taken:\n" + tail);
    }
    try {
      ServerProcess.awaitZones(this, process, zoneAcls.keySet(), startTimeout);
    } catch (IllegalStateException e) {
      throw startFailure(e.getMessage(), offset);
    }
  }

  private IllegalStateException startFailure(String why, long offset) {
    stop();
    return new IllegalStateException(
        why
            + " ("
            + this
            + ")\n--- knotd log (tail) ---\n"
            + ServerProcess.logTail(logFile, offset, 40)
            + "\n--- knot.conf ---\n"
            + numbered(confText()));
  }

  private static String numbered(String text) {
    StringBuilder out = new StringBuilder();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      out.append(String.format("%3d  %s%n", i + 1, lines.get(i)));
    }
    return out.toString();
  }

  private synchronized void writeConfig() {
    try {
      Files.writeString(confFile, confText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized String confText() {
    return confText(true);
  }

  private synchronized String confText(boolean withZones) {
    String dir = workDir.toString();
    StringBuilder c = new StringBuilder();
    c.append("# generated by io.dnsupdate.testkit.KnotServer\n");
    c.append("server:\n");
    c.append("  rundir: \"").append(dir).append("\"\n");
    c.append("  pidfile: \"").append(dir).append("/knotd.pid\"\n");
    c.append("  listen: ").append(address).append('@').append(port).append('\n');
    c.append("database:\n");
    c.append("  storage: \"").append(dir).append("/db\"\n");
    c.append("control:\n");
    c.append("  listen: \"").append(controlSocket).append("\"\n");
    c.append("log:\n");
    c.append("  - target: stderr\n");
    c.append("    any: info\n");
    c.append("acl:\n");
    c.append("  - id: ").append(TRANSFER_ACL).append('\n');
    c.append("    address: 127.0.0.0/8\n");
    c.append("    action: transfer\n");
    c.append("template:\n");
    c.append("  - id: default\n");
    c.append("    storage: \"").append(dir).append("/zones\"\n");
    c.append("    file: \"%s.zone\"\n");
    // Knot sends NOTIFY only to remotes listed in notify:, and there are none.
    for (Path inc : includes) {
      c.append("include: \"").append(inc).append("\"\n");
    }
    if (!withZones) {
      return c.toString();
    }
    c.append("zone:\n");
    for (Map.Entry<String, List<String>> z : zoneAcls.entrySet()) {
      c.append("  - domain: ").append(z.getKey()).append(".\n");
      List<String> acls = new ArrayList<>();
      acls.add(TRANSFER_ACL);
      acls.addAll(z.getValue());
      c.append("    acl: [ ").append(String.join(", ", acls)).append(" ]\n");
    }
    return c.toString();
  }

  /** Configures and starts a {@link KnotServer}. */
  public static final class Builder {
    private String address = "127.0.0.1";
    private final Map<String, String> zones = new LinkedHashMap<>();
    private final Map<String, List<String>> zoneAcls = new LinkedHashMap<>();
    private final List<Path> includes = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /** Address to listen on (default 127.0.0.1). */
    public Builder listenAddress(String address) {
      this.address = Objects.requireNonNull(address);
      return this;
    }

    /**
     * Adds a primary zone.
     *
     * @param records zone-file text after {@code $ORIGIN name.} and {@code $TTL 60}, with the SOA
     *     and NS records
     */
    public Builder primaryZone(String name, String records) {
      zones.put(ServerProcess.stripDot(name), records);
      return this;
    }

    /** Attaches acl ids (defined in an include) to a zone added before. */
    public Builder zoneAcl(String zone, String... aclIds) {
      String z = ServerProcess.stripDot(zone);
      if (!zones.containsKey(z)) {
        throw new IllegalArgumentException("add primary zone " + zone + " first");
      }
      zoneAcls.computeIfAbsent(z, k -> new ArrayList<>()).addAll(List.of(aclIds));
      return this;
    }

    /** Adds a top-level {@code include:} of a snippet. */
    public Builder include(Path snippet) {
      includes.add(snippet.toAbsolutePath());
      return this;
    }

    /** How long start and reload may take (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Writes the configuration, starts knotd and returns once every zone answers SOA over TCP. A
     * port that turns out to be taken is retried elsewhere.
     *
     * @throws IllegalStateException with knotd's log and the configuration when it does not come up
     */
    public KnotServer start() {
      return ServerProcess.startOnFreePorts(
          () -> new KnotServer(this), KnotServer::launch, START_ATTEMPTS);
    }
  }
}
