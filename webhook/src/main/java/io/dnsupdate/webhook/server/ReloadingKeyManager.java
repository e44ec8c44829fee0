package io.dnsupdate.webhook.server;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presents the serving certificate from its PEM files and picks up new files without a restart:
 * cert-manager renews the certificate and the kubelet swaps the Secret volume's files. Before a
 * handshake, at most once per check interval, both files are read again; when their bytes changed
 * and they form a valid pair, the new pair is served from the next handshake on. A half-written or
 * mismatched pair keeps the previous one (and is retried at the next check).
 *
 * <p>A handshake asks for the alias first and for the chain and the key by alias afterwards; a
 * reload in between must not pair a new chain with the old key. So each loaded pair has an alias of
 * its own ({@code serving-1}, {@code serving-2}, ...), and the last few stay resolvable until the
 * handshakes that chose them are done.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);
  private static final String ALIAS_PREFIX = "serving-";

  /** Pairs kept resolvable by alias: the current one and a few before it. */
  private static final int KEPT = 4;

  private final Path certFile;
  private final Path keyFile;
  private final Clock clock;
  private final Duration checkInterval;
  private final Runnable onLoad;

  private volatile ServingMaterial current;
  private volatile String currentAlias;
  private final Map<String, ServingMaterial> byAlias = new ConcurrentHashMap<>();
  private final Deque<String> aliases = new ArrayDeque<>();
  private long loads;
  private volatile Instant nextCheck;
  private byte[] certBytes;
  private byte[] keyBytes;
  private String lastProblem;

  private ReloadingKeyManager(
      Path certFile, Path keyFile, Clock clock, Duration checkInterval, Runnable onLoad) {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.clock = clock;
    this.checkInterval = checkInterval;
    this.onLoad = onLoad;
  }

  /**
   * Loads the pair now and watches it from then on.
   *
   * @param onLoad called after every successful (re)load
   * @throws IllegalArgumentException when the files cannot be read or do not form a valid pair
   */
  public static ReloadingKeyManager load(
      Path certFile, Path keyFile, Clock clock, Duration checkInterval, Runnable onLoad) {
    ReloadingKeyManager m =
        new ReloadingKeyManager(
            certFile, keyFile, clock == null ? Clock.systemUTC() : clock, checkInterval, onLoad);
    String problem = m.reload();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return m;
  }

  /** The pair served now. */
  public ServingMaterial current() {
    return current;
  }

  /** Reads the files again if the check interval has passed. */
  void maybeReload() {
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) {
      return;
    }
    reload();
  }

  /** Reads both files; swaps in a new valid pair. Returns what is wrong, or null. */
  synchronized String reload() {
    nextCheck = clock.instant().plus(checkInterval);
    byte[] cert;
    byte[] key;
    try {
      cert = Files.readAllBytes(certFile);
      key = Files.readAllBytes(keyFile);
    } catch (IOException e) {
      return problem("cannot read the serving certificate files: " + e);
    }
    if (Arrays.equals(cert, certBytes) && Arrays.equals(key, keyBytes)) {
      return null;
    }
    ServingMaterial next;
    try {
      next = ServingMaterial.fromPem(cert, key);
    } catch (IllegalArgumentException e) {
      return problem(certFile + " and " + keyFile + " are not a usable pair: " + e.getMessage());
    }
    boolean first = current == null;
    String alias = ALIAS_PREFIX + ++loads;
    byAlias.put(alias, next);
    aliases.addLast(alias);
    while (aliases.size() > KEPT) {
      byAlias.remove(aliases.removeFirst());
    }
    current = next;
    currentAlias = alias;
    certBytes = cert;
    keyBytes = key;
    lastProblem = null;
    log.info("{} serving certificate {}", first ? "loaded" : "reloaded", next);
    if (onLoad != null) {
      onLoad.run();
    }
    return null;
  }

  private String problem(String message) {
    if (current != null && !message.equals(lastProblem)) {
      // likely mid-rotation: the next check sees both new files
      log.warn("{}; still serving {}", message, current);
    }
    lastProblem = message;
    return message;
  }

  private String aliasFor(String keyType) {
    maybeReload();
    String alias = currentAlias;
    ServingMaterial m = alias == null ? null : byAlias.get(alias);
    return m != null && keyType != null && keyType.equalsIgnoreCase(m.key().getAlgorithm())
        ? alias
        : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    ServingMaterial m = alias == null ? null : byAlias.get(alias);
    return m == null ? null : m.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    ServingMaterial m = alias == null ? null : byAlias.get(alias);
    return m == null ? null : m.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
