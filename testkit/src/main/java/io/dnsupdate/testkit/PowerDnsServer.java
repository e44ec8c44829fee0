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
 * A real PowerDNS Authoritative {@code pdns_server} in the foreground with the gsqlite3 backend,
 * all in its own temp dir: zones loaded with {@code pdnsutil load-zone}, DNS UPDATE on, optionally
 * a {@code lua-dnsupdate-policy-script}. It sends nothing off the machine: no security poll ({@code
 * security-poll-suffix=} empty), no NOTIFY (zones are native), no resolver, no web server.
 */
public final class PowerDnsServer implements AuthoritativeServer {

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  // With one distributor thread pdns_server logs no "ready" line; the zones' SOA answers tell.
  private static final String BOUND = "TCP server bound to";
  private static final List<Path> SCHEMAS =
      List.of(
          Path.of("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql"),
          Path.of("/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql"));

  private final String address;
  private final PortReservation portReservation;
  private final int port;
  private final Duration startTimeout;
  private final Path workDir;
  private final Path database;
  private final Path logFile;
  private final Path policyFile;
  private final List<String> zones;

  private String policy;
  private Process process;
  private boolean closed;

  private PowerDnsServer(Builder b) throws IOException {
    this.address = b.address;
    this.portReservation = PortReservation.reserve(address);
    this.port = portReservation.port();
    this.startTimeout = b.startTimeout;
    this.workDir = Files.createTempDirectory("pdns-");
    this.database = workDir.resolve("pdns.sqlite3");
    this.logFile = workDir.resolve("pdns.log");
    this.policyFile = workDir.resolve("dnsupdate-policy.lua");
    this.zones = List.copyOf(b.zones.keySet());
    this.policy = b.policy;
    createDatabase();
    writeConfig();
    for (Map.Entry<String, String> z : b.zones.entrySet()) {
      Path file = workDir.resolve(z.getKey() + ".zone");
      Files.writeString(file, "$ORIGIN " + z.getKey() + ".\n$TTL 60\n" + z.getValue() + "\n");
      requireOk(pdnsutil("load-zone", z.getKey(), file.toString()), "load-zone " + z.getKey());
    }
  }

  /** A builder for a server on 127.0.0.1 with a free port and no zones. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The server's own directory: pdns.conf, pdns.sqlite3, pdns.log, the policy script. */
  public Path workDir() {
    return workDir;
  }

  /** pdns_server's output. */
  public Path logFile() {
    return logFile;
  }

  /** Runs {@code pdnsutil} with this server's configuration (and so its database). */
  public CommandResult pdnsutil(String... args) {
    List<String> cmd = new ArrayList<>(List.of("pdnsutil", "--config-dir=" + workDir));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, null, Duration.ofSeconds(30));
  }

  /**
   * Runs every command line of a text such as the operator's rendered {@code pdns.txt}, as it is:
   * blank lines and {@code #} comments are skipped, every other line must be a {@code pdnsutil}
   * command (words split as a POSIX shell splits plain and single-quoted words) and must succeed.
   *
   * @return how many commands ran
   */
  public int runCommands(String text) {
    int ran = 0;
    for (String raw : text.lines().toList()) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> words = ShellWords.split(line);
      if (!words.get(0).equals("pdnsutil")) {
        throw new IllegalArgumentException("not a pdnsutil command: " + line);
      }
      requireOk(pdnsutil(words.subList(1, words.size()).toArray(String[]::new)), words.get(1));
      ran++;
    }
    return ran;
  }

  /** The values of a kind of zone metadata, as stored (one per row). */
  public List<String> metadata(String zone, String kind) {
    CommandResult r =
        Commands.run(
            List.of(
                "sqlite3",
                database.toString(),
                "select m.content from domainmetadata m join domains d on d.id = m.domain_id"
                    + " where d.name = '"
                    + ServerProcess.stripDot(zone).replace("'", "''")
                    + "' and m.kind = '"
                    + kind.replace("'", "''")
                    + "' order by m.id"),
            null,
            Duration.ofSeconds(30));
    requireOk(r, "sqlite3 metadata");
    return r.output().lines().filter(l -> !l.isBlank()).toList();
  }

  /** The TSIG keys PowerDNS knows: {@code name algorithm} per row (secrets left out). */
  public List<String> tsigKeys() {
    CommandResult r =
        Commands.run(
            List.of(
                "sqlite3",
                database.toString(),
                "select name || ' ' || algorithm from tsigkeys order by name"),
            null,
            Duration.ofSeconds(30));
    requireOk(r, "sqlite3 tsigkeys");
    return r.output().lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * Installs a {@code lua-dnsupdate-policy-script} (null removes it) and restarts pdns_server,
   * which reads the script only at start.
   */
  public synchronized void installPolicy(String lua) {
    this.policy = lua;
    writeConfig();
    restart();
  }

  /** Stops and starts pdns_server on the same port with the same database. */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Stops pdns_server (SIGTERM, then waits). */
  public synchronized void stop() {
    Commands.terminate(process, STOP_GRACE);
  }

  /** Stops pdns_server, releases its port and deletes its directory. */
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
    return "pdns_server@" + address + ":" + port + " in " + workDir;
  }

  private void createDatabase() {
    Path schema =
        SCHEMAS.stream()
            .filter(Files::isReadable)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no gsqlite3 schema at "
                            + SCHEMAS
                            + ": install pdns-backend-sqlite3 (scripts/install-tools.sh)"));
    try {
      CommandResult r =
          Commands.run(
              List.of("sqlite3", database.toString()),
              Files.readString(schema),
              Duration.ofSeconds(30));
      requireOk(r, "sqlite3 < " + schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireOk(CommandResult r, String what) {
    if (!r.ok()) {
      throw new IllegalStateException(what + " failed (exit " + r.exitCode() + "):\n" + r.output());
    }
  }

  private synchronized void writeConfig() {
    StringBuilder c = new StringBuilder();
    c.append("# generated by io.dnsupdate.testkit.PowerDnsServer\n");
    c.append("launch=gsqlite3\n");
    c.append("gsqlite3-database=").append(database).append('\n');
    c.append("local-address=").append(address).append(':').append(port).append('\n');
    c.append("socket-dir=").append(workDir).append('\n');
    c.append("daemon=no\nguardian=no\nwrite-pid=no\ndisable-syslog=yes\nloglevel=6\n");
    // Nothing leaves the machine: the default would ask the system resolver for a TXT record under
    // secpoll.powerdns.com at every start.
    c.append("security-poll-suffix=\n");
    c.append("webserver=no\napi=no\n");
    c.append("receiver-threads=1\ndistributor-threads=1\n");
    c.append("dnsupdate=yes\n");
    c.append("allow-axfr-ips=127.0.0.0/8\n");
    if (policy != null) {
      c.append("lua-dnsupdate-policy-script=").append(policyFile).append('\n');
    }
    try {
      if (policy != null) {
        Files.writeString(policyFile, policy);
      } else {
        Files.deleteIfExists(policyFile);
      }
      Files.writeString(workDir.resolve("pdns.conf"), c.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void launch() {
    long offset = Commands.size(logFile);
    process =
        ServerProcess.start(List.of("pdns_server", "--config-dir=" + workDir), workDir, logFile);
    try {
      ServerProcess.awaitLog(
          process,
          logFile,
          offset,
          log -> log.contains(BOUND),
          "pdns_server listening",
          startTimeout);
    } catch (ConditionTimeoutException | StartFailure e) {
      String log = Commands.since(logFile, offset);
      if (log.contains("Address already in use")) {
        stop();
        throw new PortClash(
            this + ": the port is taken:\n" + ServerProcess.logTail(logFile, offset, 20));
      }
      throw startFailure("pdns_server did not start: " + e.getMessage(), offset);
    }
    try {
      ServerProcess.awaitZones(this, process, zones, startTimeout);
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
            + ")\n--- pdns_server log (tail) ---\n"
            + ServerProcess.logTail(logFile, offset, 40));
  }

  /** Configures and starts a {@link PowerDnsServer}. */
  public static final class Builder {
    private String address = "127.0.0.1";
    private final Map<String, String> zones = new LinkedHashMap<>();
    private String policy;
    private Duration startTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /** Address to listen on (default 127.0.0.1). */
    public Builder listenAddress(String address) {
      this.address = Objects.requireNonNull(address);
      return this;
    }

    /**
     * Adds a zone (native: no NOTIFY, no transfers in).
     *
     * @param records zone-file text after {@code $ORIGIN name.} and {@code $TTL 60}, with the SOA
     *     and NS records
     */
    public Builder primaryZone(String name, String records) {
      zones.put(ServerProcess.stripDot(name), records);
      return this;
    }

    /** A {@code lua-dnsupdate-policy-script} from the start. */
    public Builder policy(String lua) {
      this.policy = lua;
      return this;
    }

    /** How long a start may take (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Creates the database, loads the zones, starts pdns_server and returns once every zone answers
     * SOA over TCP. A port that turns out to be taken is retried elsewhere.
     */
    public PowerDnsServer start() {
      return ServerProcess.startOnFreePorts(
          () -> new PowerDnsServer(this), PowerDnsServer::launch, START_ATTEMPTS);
    }
  }
}
