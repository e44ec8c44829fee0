package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.xbill.DNS.Message;

/** A real BIND {@code named} in the foreground, configured from scratch in its own temp dir. */
public final class NamedServer implements AuthoritativeServer {

  /** Name in the DoT server certificate unless the builder says otherwise. */
  public static final String DEFAULT_TLS_SERVER_NAME = "ns1.example.test";

  private static final String TLS_BLOCK = "testkit-dot";
  private static final String RNDC_KEY = "testkit-rndc";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final Pattern RUNNING = Pattern.compile("(?m) running$");

  private final String address;
  private final int port;
  private final PortReservation portReservation;
  private final boolean tls;
  private final int tlsPort;
  private final PortReservation tlsReservation;
  private final String tlsServerName;
  private final PortReservation controlReservation;
  private final Duration startTimeout;
  private final Path workDir;
  private final Path confFile;
  private final Path rndcConf;
  private final Path logFile;
  private final String rndcSecret;
  private final TestPki tlsCa;
  private final Path tlsCaPem;

  private final Map<String, TestTsigKey> keys = new LinkedHashMap<>();
  private final Map<String, PrimaryZone> primaries = new LinkedHashMap<>();
  private final Map<String, SecondaryZone> secondaries = new LinkedHashMap<>();
  private final List<Path> includes = new ArrayList<>();
  private final List<String> extraConfig = new ArrayList<>();
  private final Path gssapiKeytab;
  private final Map<String, String> environment;

  private Process process;
  private boolean closed;

  private NamedServer(Builder b) throws IOException {
    this.address = b.listenAddress;
    LoopbackAddresses.ensureAssigned(address);
    for (String other : b.portAlsoFreeOn) {
      LoopbackAddresses.ensureAssigned(other);
    }
    List<String> portAddresses = new ArrayList<>();
    portAddresses.add(b.listenAddress);
    portAddresses.addAll(b.portAlsoFreeOn);
    this.portReservation =
        b.port == 0 ? PortReservation.reserve(portAddresses.toArray(String[]::new)) : null;
    this.port = b.port == 0 ? portReservation.port() : b.port;
    this.tls = b.tls;
    this.tlsReservation = b.tls && b.tlsPort == 0 ? PortReservation.reserve(address) : null;
    this.tlsPort = !b.tls ? -1 : b.tlsPort == 0 ? tlsReservation.port() : b.tlsPort;
    this.tlsServerName = b.tlsServerName;
    // rndc always talks to 127.0.0.1: every server of a test shares the loopback anyway.
    this.controlReservation = PortReservation.reserve("127.0.0.1");
    this.startTimeout = b.startTimeout;

    this.workDir = Files.createTempDirectory("named-" + address + "-");
    this.confFile = workDir.resolve("named.conf");
    this.rndcConf = workDir.resolve("rndc.conf");
    this.logFile = workDir.resolve("named.log");
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.rndcSecret = Base64.getEncoder().encodeToString(secret);

    b.keys.forEach(k -> keys.put(k.name(), k));
    for (PrimaryZone z : b.primaries.values()) {
      primaries.put(z.name, z.copy());
    }
    secondaries.putAll(b.secondaries);
    includes.addAll(b.includes);
    extraConfig.addAll(b.extraConfig);
    this.gssapiKeytab = b.gssapiKeytab;
    this.environment = Map.copyOf(b.environment);

    Files.createDirectories(workDir.resolve("zones"));
    for (PrimaryZone z : primaries.values()) {
      Files.writeString(zoneFile(z.name), "$ORIGIN " + z.name + ".\n$TTL 60\n" + z.records + "\n");
    }
    if (tls) {
      this.tlsCa = TestPki.newCa("testkit named DoT CA");
      IssuedCertificate cert =
          tlsCa.issueServer(tlsServerName, List.of(tlsServerName), List.of(address));
      cert.writeChainPem(workDir.resolve("tls/server.pem"));
      cert.writeKeyPem(workDir.resolve("tls/server.key"));
      this.tlsCaPem = tlsCa.writeCertPem(workDir.resolve("tls/ca.pem"));
    } else {
      this.tlsCa = null;
      this.tlsCaPem = null;
    }
    Files.writeString(
        rndcConf,
        "key \""
            + RNDC_KEY
            + "\" { algorithm hmac-sha256; secret \""
            + rndcSecret
            + "\"; };\n"
            + "options { default-server 127.0.0.1; default-port "
            + controlReservation.port()
            + "; default-key \""
            + RNDC_KEY
            + "\"; };\n");
  }

  /** A builder for a server on 127.0.0.1 with a free port, no zones and no keys. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- accessors

  /** The address named listens on (e.g. 127.0.0.1). */
  public String address() {
    return address;
  }

  /** The DNS port (UDP and TCP). */
  public int port() {
    return port;
  }

  /** {@link #address()} and {@link #port()} together. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** The DNS-over-TLS port; fails when the server has no DoT listener. */
  public int tlsPort() {
    requireTls();
    return tlsPort;
  }

  /** The CA that issued the DoT server certificate. */
  public TestPki tlsCa() {
    requireTls();
    return tlsCa;
  }

  /** PEM file of {@link #tlsCa()}, for kdig's {@code +tls-ca=} or a Kubernetes Secret. */
  public Path tlsCaPemFile() {
    requireTls();
    return tlsCaPem;
  }

  /** The DNS name in the DoT certificate (its other SAN is the IP {@link #address()}). */
  public String tlsServerName() {
    requireTls();
    return tlsServerName;
  }

  /** The server's own directory: named.conf, named.log, zones/, tls/, rndc.conf. */
  public Path workDir() {
    return workDir;
  }

  /** named's output (it runs with -g, so everything it logs). */
  public Path logFile() {
    return logFile;
  }

  /** The generated named.conf. */
  public Path configFile() {
    return confFile;
  }

  /** Zones this server is primary or secondary for, without trailing dot. */
  public synchronized List<String> zones() {
    List<String> all = new ArrayList<>(primaries.keySet());
    all.addAll(secondaries.keySet());
    return all;
  }

  /** True while the named process runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** PID of the running named. */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("named is not running");
    }
    return process.pid();
  }

  // ---------------------------------------------------------------- configuration changes

  /**
   * Adds a top-level {@code include "file";} (e.g. an operator-rendered key clause). Takes effect
   * with {@link #reconfig()}.
   */
  public synchronized NamedServer addInclude(Path snippet) {
    includes.add(snippet.toAbsolutePath());
    return this;
  }

  /** Removes a top-level include added before. Takes effect with {@link #reconfig()}. */
  public synchronized NamedServer removeInclude(Path snippet) {
    includes.remove(snippet.toAbsolutePath());
    return this;
  }

  /**
   * Adds an {@code include "file";} inside a primary zone's statement, e.g. a file with a whole
   * {@code update-policy { ... };} (then give that zone no grants of its own: BIND refuses two).
   * Takes effect with {@link #reconfig()}.
   */
  public synchronized NamedServer addZoneInclude(String zone, Path snippet) {
    primary(zone).includes.add(snippet.toAbsolutePath());
    return this;
  }

  /** Replaces a primary zone's update-policy grant lines. Takes effect with {@link #reconfig()}. */
  public synchronized NamedServer updatePolicy(String zone, List<String> grants) {
    PrimaryZone z = primary(zone);
    z.grants.clear();
    z.grants.addAll(grants);
    return this;
  }

  /** Adds (or replaces) a TSIG key. Takes effect with {@link #reconfig()}. */
  public synchronized NamedServer addKey(TestTsigKey key) {
    keys.put(key.name(), key);
    return this;
  }

  /** Removes a TSIG key. Takes effect with {@link #reconfig()}. */
  public synchronized NamedServer removeKey(String keyName) {
    keys.remove(keyName);
    return this;
  }

  /**
   * Makes a primary zone NOTIFY the given server on every change ({@code notify explicit}); port 0
   * means this server's own port. Takes effect with {@link #reconfig()}.
   */
  public synchronized NamedServer alsoNotify(String zone, String notifyAddress, int notifyPort) {
    primary(zone).alsoNotify.add(new Notify(notifyAddress, notifyPort));
    return this;
  }

  /** True when the primary zone already notifies that address (port 0 = own port). */
  public synchronized boolean notifies(String zone, String notifyAddress, int notifyPort) {
    int p = notifyPort == 0 ? port : notifyPort;
    return primary(zone).alsoNotify.stream()
        .anyMatch(n -> n.address.equals(notifyAddress) && (n.port == 0 ? port : n.port) == p);
  }

  /** Appends raw top-level configuration. Takes effect with {@link #reconfig()}. */
  public synchronized NamedServer addExtraConfig(String raw) {
    extraConfig.add(raw);
    return this;
  }

  /**
   * Rewrites named.conf, runs {@code rndc reconfig} and waits until named reports that the new
   * configuration and any new zones are loaded and every known zone answers again.
   *
   * @throws IllegalStateException with rndc's answer and named's log when BIND rejects the config
   */
  public synchronized void reconfig() {
    requireRunning();
    writeConfig();
    long offset = Commands.size(logFile);
    CommandResult r = rndc("reconfig");
    if (!r.ok()) {
      throw new IllegalStateException(
          "rndc reconfig failed ("
              + r.output().strip()
              + ")\n--- named log ---\n"
              + Commands.since(logFile, offset));
    }
    // rndc answers once the configuration is parsed; new zones load after that.
    awaitLog(offset, "any newly configured zones are now loaded", "reconfig");
    awaitZones(startTimeout);
  }

  /** {@code rndc reload}: rereads the configuration and every zone file, and waits for them. */
  public synchronized void reload() {
    requireRunning();
    writeConfig();
    long offset = Commands.size(logFile);
    CommandResult r = rndc("reload");
    if (!r.ok()) {
      throw new IllegalStateException(
          "rndc reload failed ("
              + r.output().strip()
              + ")\n--- named log ---\n"
              + Commands.since(logFile, offset));
    }
    awaitLog(offset, "all zones loaded", "reload");
    awaitZones(startTimeout);
  }

  /** Runs rndc against this server's control channel. */
  public CommandResult rndc(String... args) {
    List<String> cmd = new ArrayList<>(List.of("rndc", "-c", rndcConf.toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, null, Duration.ofSeconds(30));
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts named again after {@link #stop()} with the same ports and zone data (journals kept). */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Stops named (SIGTERM to its PID, then waits for it to exit). */
  public synchronized void stop() {
    Commands.terminate(process, STOP_GRACE);
  }

  /** Stops named, releases its ports and deletes its directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    release();
    if (!Commands.keepWorkDirs()) {
      Commands.deleteTree(workDir);
    }
  }

  private void release() {
    if (portReservation != null) {
      portReservation.close();
    }
    if (tlsReservation != null) {
      tlsReservation.close();
    }
    controlReservation.close();
  }

  // ---------------------------------------------------------------- queries

  /** Sends a non-recursive query over DNS-over-TLS, verifying the server certificate. */
  public Message queryTls(String name, int type) {
    try {
      return DnsWire.tls(
          new InetSocketAddress(address, tlsPort()),
          tlsCa.sslContext(),
          tlsServerName,
          DnsWire.newQuery(name, type));
    } catch (IOException e) {
      throw new UncheckedIOException("DoT query " + name + " to " + this, e);
    }
  }

  @Override
  public String toString() {
    return "named@"
        + address
        + ":"
        + port
        + (tls ? " (DoT " + tlsPort + ")" : "")
        + " in "
        + workDir;
  }

  // ---------------------------------------------------------------- internals

  private void requireTls() {
    if (!tls) {
      throw new IllegalStateException(this + " has no DNS-over-TLS listener");
    }
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException(this + " is not running");
    }
  }

  private PrimaryZone primary(String zone) {
    PrimaryZone z = primaries.get(stripDot(zone));
    if (z == null) {
      throw new IllegalArgumentException(this + " is not primary for " + zone);
    }
    return z;
  }

  private Path zoneFile(String zone) {
    return workDir.resolve("zones").resolve(zone + ".db");
  }

  private synchronized void launch() {
    writeConfig();
    long offset = Commands.size(logFile);
    try {
      // -g: foreground, log to stderr, no privilege drop; a PID we own and can signal.
      ProcessBuilder pb =
          new ProcessBuilder(Commands.executable("named"), "-g", "-c", confFile.toString())
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().putAll(environment);
      process = pb.start();
      Commands.track(process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start named", e);
    }
    try {
      Process p = process;
      Waits.within("named running", startTimeout)
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new StartFailure("named exited with status " + p.exitValue());
                }
                return RUNNING.matcher(Commands.since(logFile, offset)).find();
              });
    } catch (ConditionTimeoutException e) {
      throw startFailure("named did not report 'running' within " + startTimeout, offset);
    } catch (StartFailure e) {
      throw startFailure(e.getMessage(), offset);
    }
    String log = Commands.since(logFile, offset);
    // With reuseport off, a taken port shows up here instead of silently sharing traffic.
    if (log.contains("address in use")) {
      String tail = Commands.tail(logFile, 40);
      stop();
      throw new PortClash(this + ": a port is taken:\n" + tail);
    }
    // named skips listen-on addresses it does not find on an interface without an error.
    for (int p : tls ? List.of(port, tlsPort) : List.of(port)) {
      if (!log.contains(", " + address + "#" + p + "\n")) {
        throw startFailure("named is not listening on " + address + "#" + p, offset);
      }
    }
    try {
      awaitZones(startTimeout);
    } catch (IllegalStateException e) {
      throw startFailure(e.getMessage(), offset);
    }
  }

  private IllegalStateException startFailure(String why, long offset) {
    stop();
    String log = Commands.since(logFile, offset);
    // The build banner (a kilobyte of configure flags, library versions) explains nothing.
    String[] lines =
        log.lines()
            .filter(l -> !l.contains(" built with ") && !l.matches(".* (compiled|linked) .*"))
            .toArray(String[]::new);
    String tail =
        String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    StringBuilder msg = new StringBuilder(why);
    msg.append(" (").append(this).append(")\n--- named log (tail) ---\n").append(tail);
    if (process != null && !process.isAlive() && process.exitValue() != 0) {
      // named names the offending line of named.conf; show it, the directory may be gone.
      msg.append("\n--- named.conf ---\n");
      try {
        List<String> conf = Files.readAllLines(confFile);
        for (int i = 0; i < conf.size(); i++) {
          msg.append(String.format("%3d  %s%n", i + 1, conf.get(i)));
        }
      } catch (IOException e) {
        msg.append("(unreadable: ").append(e).append(")\n");
      }
    }
    return new IllegalStateException(msg.toString());
  }

  private void awaitLog(long offset, String success, String what) {
    try {
      Waits.within("named " + what, startTimeout)
          .until(
              () -> {
                String log = Commands.since(logFile, offset);
                if (log.contains("reloading configuration failed")
                    || log.contains("reloading zones failed")) {
                  throw new IllegalStateException(what + " failed\n--- named log ---\n" + log);
                }
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "named exited during " + what + "\n--- named log ---\n" + log);
                }
                return log.contains(success);
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "named did not log '"
              + success
              + "' within "
              + startTimeout
              + "\n--- named log ---\n"
              + Commands.since(logFile, offset),
          e);
    }
  }

  /** Waits until every known zone answers its SOA authoritatively over TCP. */
  private void awaitZones(Duration timeout) {
    ServerProcess.awaitZones(this, process, zones(), timeout);
  }

  private synchronized void writeConfig() {
    try {
      Files.writeString(confFile, renderConfig());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String renderConfig() {
    StringBuilder c = new StringBuilder();
    String dir = workDir.toString();
    c.append("# generated by io.dnsupdate.testkit.NamedServer\n");
    c.append("options {\n");
    c.append("  directory \"").append(dir).append("\";\n");
    // Everything named writes must land in our directory: a second instance must not fight over
    // /run/named or /var/cache/bind, and neither is writable for a non-root developer.
    c.append("  pid-file \"").append(dir).append("/named.pid\";\n");
    c.append("  session-keyfile \"").append(dir).append("/session.key\";\n");
    c.append("  managed-keys-directory \"").append(dir).append("\";\n");
    c.append("  dump-file \"").append(dir).append("/named_dump.db\";\n");
    c.append("  statistics-file \"").append(dir).append("/named.stats\";\n");
    c.append("  dnssec-validation no;\n");
    c.append("  recursion no;\n");
    // BIND 9.18 binds with SO_REUSEPORT by default: a second named on a taken port would start
    // "fine" and the kernel would split queries between the two. Off, a clash is an error we see.
    c.append("  reuseport no;\n");
    // NOTIFY goes out immediately (default 5 s) so secondaries follow updates within a test.
    c.append("  notify-delay 0;\n");
    c.append("  listen-on port ").append(port).append(" { ").append(address).append("; };\n");
    if (tls) {
      c.append("  listen-on port ")
          .append(tlsPort)
          .append(" tls ")
          .append(TLS_BLOCK)
          .append(" { ")
          .append(address)
          .append("; };\n");
    }
    c.append("  listen-on-v6 { none; };\n");
    if (gssapiKeytab != null) {
      // GSS-TSIG (TKEY mode 3): named accepts contexts for any principal in this keytab.
      c.append("  tkey-gssapi-keytab \"").append(gssapiKeytab).append("\";\n");
    }
    c.append("};\n\n");

    if (tls) {
      c.append("tls ")
          .append(TLS_BLOCK)
          .append(" {\n  cert-file \"")
          .append(dir)
          .append("/tls/server.pem\";\n  key-file \"")
          .append(dir)
          .append("/tls/server.key\";\n};\n\n");
    }
    // Without a controls statement named binds rndc's default port 953 and reads
    // /etc/bind/rndc.key; our own key and port keep parallel servers apart.
    c.append("key \"")
        .append(RNDC_KEY)
        .append("\" { algorithm hmac-sha256; secret \"")
        .append(rndcSecret)
        .append("\"; };\n");
    c.append("controls { inet 127.0.0.1 port ")
        .append(controlReservation.port())
        .append(" allow { 127.0.0.1; } keys { \"")
        .append(RNDC_KEY)
        .append("\"; }; };\n\n");

    for (TestTsigKey k : keys.values()) {
      c.append(k.bindKeyClause()).append('\n');
    }
    c.append('\n');

    for (PrimaryZone z : primaries.values()) {
      c.append("zone \"").append(z.name).append("\" {\n");
      c.append("  type primary;\n");
      c.append("  file \"").append(zoneFile(z.name)).append("\";\n");
      c.append("  allow-transfer { 127.0.0.0/8; };\n");
      if (z.alsoNotify.isEmpty()) {
        // The default would NOTIFY every NS name's address on port 53: someone else's server.
        c.append("  notify no;\n");
      } else {
        c.append("  notify explicit;\n  also-notify {");
        for (Notify n : z.alsoNotify) {
          c.append(' ')
              .append(n.address)
              .append(" port ")
              .append(n.port == 0 ? port : n.port)
              .append(';');
        }
        c.append(" };\n");
      }
      if (!z.grants.isEmpty()) {
        c.append("  update-policy {\n");
        for (String g : z.grants) {
          String line = g.strip();
          c.append("    ").append(line).append(line.endsWith(";") ? "" : ";").append('\n');
        }
        c.append("  };\n");
      }
      for (Path inc : z.includes) {
        c.append("  include \"").append(inc).append("\";\n");
      }
      c.append("};\n\n");
    }
    for (SecondaryZone z : secondaries.values()) {
      c.append("zone \"").append(z.name()).append("\" {\n");
      c.append("  type secondary;\n");
      c.append("  file \"")
          .append(workDir.resolve("zones").resolve(z.name() + ".secondary.db"))
          .append("\";\n");
      c.append("  primaries { ")
          .append(z.primaryAddress())
          .append(" port ")
          .append(z.primaryPort())
          .append("; };\n");
      c.append("  allow-notify { 127.0.0.0/8; };\n");
      c.append("  allow-transfer { 127.0.0.0/8; };\n");
      c.append("  notify no;\n");
      c.append("};\n\n");
    }
    for (Path inc : includes) {
      c.append("include \"").append(inc).append("\";\n");
    }
    for (String raw : extraConfig) {
      c.append(raw).append('\n');
    }
    return c.toString();
  }

  private static String stripDot(String zone) {
    return ServerProcess.stripDot(zone);
  }

  private record Notify(String address, int port) {}

  private record SecondaryZone(String name, String primaryAddress, int primaryPort) {}

  private static final class PrimaryZone {
    final String name;
    final String records;
    final List<String> grants = new ArrayList<>();
    final List<Notify> alsoNotify = new ArrayList<>();
    final List<Path> includes = new ArrayList<>();

    PrimaryZone(String name, String records) {
      this.name = name;
      this.records = records;
    }

    PrimaryZone copy() {
      PrimaryZone z = new PrimaryZone(name, records);
      z.grants.addAll(grants);
      z.alsoNotify.addAll(alsoNotify);
      z.includes.addAll(includes);
      return z;
    }
  }

  /** Configures and starts a {@link NamedServer}. */
  public static final class Builder {
    private String listenAddress = "127.0.0.1";
    private int port;
    private final List<String> portAlsoFreeOn = new ArrayList<>();
    private boolean tls;
    private int tlsPort;
    private String tlsServerName = DEFAULT_TLS_SERVER_NAME;
    private final List<TestTsigKey> keys = new ArrayList<>();
    private final Map<String, PrimaryZone> primaries = new LinkedHashMap<>();
    private final Map<String, SecondaryZone> secondaries = new LinkedHashMap<>();
    private final List<Path> includes = new ArrayList<>();
    private final List<String> extraConfig = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(15);
    private Path gssapiKeytab;
    private final Map<String, String> environment = new LinkedHashMap<>();

    private Builder() {}

    /** Address to listen on (default 127.0.0.1; any 127.0.0.x works on Linux without setup). */
    public Builder listenAddress(String address) {
      this.listenAddress = Objects.requireNonNull(address);
      return this;
    }

    /** DNS port; 0 (default) reserves a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * When the port is chosen automatically, it must also be free on these addresses (so that a
     * secondary can later listen there on the same port).
     */
    public Builder portAlsoFreeOn(String... addresses) {
      portAlsoFreeOn.addAll(List.of(addresses));
      return this;
    }

    /** Adds a DNS-over-TLS listener on a free port with a certificate from a fresh CA. */
    public Builder dnsOverTls() {
      this.tls = true;
      return this;
    }

    /** Adds a DNS-over-TLS listener on the given port (0 = free port). */
    public Builder tlsPort(int tlsPort) {
      this.tls = true;
      this.tlsPort = tlsPort;
      return this;
    }

    /** DNS name in the DoT certificate (default {@value #DEFAULT_TLS_SERVER_NAME}). */
    public Builder tlsServerName(String name) {
      this.tlsServerName = Objects.requireNonNull(name);
      return this;
    }

    /** Adds a TSIG key. */
    public Builder key(TestTsigKey key) {
      keys.add(key);
      return this;
    }

    /** Adds TSIG keys. */
    public Builder keys(Collection<TestTsigKey> more) {
      keys.addAll(more);
      return this;
    }

    /**
     * Adds a primary zone.
     *
     * @param name zone name (trailing dot optional)
     * @param records zone-file text after {@code $ORIGIN name.} and {@code $TTL 60}; must contain
     *     the SOA and NS records
     * @param grants update-policy lines such as {@code grant k. name _acme-challenge.x. TXT;}
     *     (none: updates are refused)
     */
    public Builder primaryZone(String name, String records, List<String> grants) {
      PrimaryZone z = new PrimaryZone(stripDot(name), records);
      z.grants.addAll(grants);
      primaries.put(z.name, z);
      return this;
    }

    /** {@link #primaryZone(String, String, List)} with grants as varargs. */
    public Builder primaryZone(String name, String records, String... grants) {
      return primaryZone(name, records, List.of(grants));
    }

    /** An include inside a primary zone's statement (see {@link NamedServer#addZoneInclude}). */
    public Builder zoneInclude(String zone, Path snippet) {
      zone(zone).includes.add(snippet.toAbsolutePath());
      return this;
    }

    /**
     * The primary zone (added before) NOTIFYs this server on every change; port 0 means the port of
     * the server being built.
     */
    public Builder alsoNotify(String zone, String address, int port) {
      zone(zone).alsoNotify.add(new Notify(address, port));
      return this;
    }

    /** Adds a secondary zone transferred from the given primary. */
    public Builder secondaryZone(String name, String primaryAddress, int primaryPort) {
      String n = stripDot(name);
      secondaries.put(n, new SecondaryZone(n, primaryAddress, primaryPort));
      return this;
    }

    /** Adds a top-level {@code include "file";}. */
    public Builder include(Path snippet) {
      includes.add(snippet.toAbsolutePath());
      return this;
    }

    /** Appends raw top-level configuration text. */
    public Builder extraConfig(String raw) {
      extraConfig.add(raw);
      return this;
    }

    /**
     * Accepts GSS-TSIG (RFC 3645): {@code tkey-gssapi-keytab} with the service principal's keytab,
     * and {@code KRB5_CONFIG} for named's own Kerberos library (named's environment only).
     */
    public Builder gssapi(Path keytab, Path krb5Config) {
      this.gssapiKeytab = keytab.toAbsolutePath();
      environment.put("KRB5_CONFIG", krb5Config.toAbsolutePath().toString());
      return this;
    }

    /** How long start, reconfig and reload may take (default 15 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    private PrimaryZone zone(String zone) {
      PrimaryZone z = primaries.get(stripDot(zone));
      if (z == null) {
        throw new IllegalArgumentException("add primary zone " + zone + " first");
      }
      return z;
    }

    /**
     * Writes the configuration, starts named and returns once every zone answers SOA over TCP.
     * Automatically chosen ports are retried elsewhere if one turns out to be taken.
     *
     * @throws IllegalStateException with the tail of named's log when it does not come up
     */
    public NamedServer start() {
      boolean autoPorts = port == 0 || (tls && tlsPort == 0);
      for (int attempt = 1; ; attempt++) {
        NamedServer s;
        try {
          s = new NamedServer(this);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        try {
          s.launch();
          return s;
        } catch (PortClash e) {
          s.close();
          if (!autoPorts || attempt >= START_ATTEMPTS) {
            throw new IllegalStateException(e.getMessage());
          }
        } catch (RuntimeException e) {
          // The message carries the log tail (and the config when named rejected it); the
          // directory itself stays only with -Ddnsupdate.testkit.keep=true.
          s.close();
          throw e;
        }
      }
    }
  }
}
