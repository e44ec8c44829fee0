package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kerberos logins of issuers, each with its GSS-TSIG contexts ({@link KerberosLogin}), kept per
 * issuer, kerberos settings and keytab Secret version: a changed Secret (uid or resourceVersion) or
 * changed settings are another key, so the next challenge logs in anew, and the issuer's older
 * logins are dropped at once. A login is replaced {@link #RENEW_MARGIN} before its ticket-granting
 * ticket expires, so no context is ever negotiated with an expired ticket; one unused for {@link
 * #IDLE} is dropped. A dropped login's contexts are deleted on their servers when the challenges
 * using them are done. Concurrent challenges of an issuer share one login.
 *
 * <p>A failed login is held for {@link #FAILURE_HOLD} and answered from memory meanwhile: every
 * challenge trying a rejected keytab again would count as a failed pre-authentication, which Active
 * Directory turns into an account lockout, and during a KDC outage every challenge would wait out
 * the KDC timeout (5 s per KDC). The hold is short and bounded: a fixed Secret or changed settings
 * are another key and are tried at once, and cert-manager retries a failed challenge later anyway.
 */
public final class KerberosLogins implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KerberosLogins.class);

  /**
   * A login is replaced this long before its ticket-granting ticket ends (or halfway through a
   * shorter ticket): longer than a context's own margin, so contexts made just before still live.
   */
  static final Duration RENEW_MARGIN = Duration.ofMinutes(15);

  /** How long a login is kept when its ticket's end is unknown (never after a JDK login). */
  static final Duration UNKNOWN_TICKET_LIFETIME = Duration.ofHours(1);

  /** A login no challenge used for this long is dropped (a deleted issuer's, say). */
  static final Duration IDLE = Duration.ofHours(1);

  /** How long a failed login is answered from memory. */
  static final Duration FAILURE_HOLD = Duration.ofSeconds(15);

  /** Logins (and held failures) kept. */
  static final int MAX_LOGINS = 256;

  /** Tries for a lease when logins are replaced under the caller's feet. */
  private static final int LEASE_ATTEMPTS = 3;

  /** Logs in from keytab bytes: {@link KerberosIdentity#login(String, List, byte[], String)}. */
  @FunctionalInterface
  interface Login {
    KerberosIdentity login(String principal, List<String> kdcs, byte[] keytab, String source)
        throws GssTsigException;
  }

  /** What a login depends on; any change is another login. */
  private record Key(
      String namespace,
      String issuer,
      String issuerUid,
      IssuerCredential.Kerberos settings,
      String secretUid,
      String secretVersion) {
    boolean sameIssuer(Key other) {
      return namespace.equals(other.namespace) && issuer.equals(other.issuer);
    }
  }

  /** A login, or why it failed (messages name principals and KDCs, never keytab bytes). */
  private sealed interface Outcome {}

  private record LoggedIn(KerberosLogin login) implements Outcome {}

  private record Failed(FailureReason reason, String message) implements Outcome {}

  private final KeytabSecrets keytabs;
  private final Login login;
  private final Clock clock;
  private final WebhookMetrics metrics;
  private final ExecutorService closer;
  private final AsyncCache<Key, Outcome> cache;

  KerberosLogins(
      KeyMaterialCache.SecretReader secrets, Login login, Clock clock, WebhookMetrics metrics) {
    this.keytabs = new KeytabSecrets(secrets);
    this.login = login;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.metrics = metrics;
    this.closer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "gss-context-closer");
              t.setDaemon(true);
              return t;
            });
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(MAX_LOGINS)
            .expireAfter(new Lifetime())
            .ticker(Caches.ticker(this.clock))
            .scheduler(Scheduler.systemScheduler())
            // retire() only hands the closing to the closer: cheap enough for the caller's thread,
            // and done before close() stops the closer
            .executor(Runnable::run)
            .<Key, Outcome>removalListener(
                (key, outcome, cause) -> {
                  if (outcome instanceof LoggedIn l) {
                    log.debug("{} dropped ({})", l.login(), cause);
                    l.login().retire();
                  }
                })
            .buildAsync();
  }

  /** Reads keytab Secrets through the client ({@code get secrets}), logs in with the JDK. */
  public static KerberosLogins using(KubernetesClient client, Clock clock, WebhookMetrics metrics) {
    return new KerberosLogins(
        (ns, name) -> client.secrets().inNamespace(ns).withName(name).get(),
        KerberosIdentity::login,
        clock,
        metrics);
  }

  /**
   * The current login of the issuer, leased to the caller, who {@link KerberosLogin#release()
   * releases} it when done. Reads the keytab Secret (for its version), and logs in when this
   * version, issuer and settings have no login yet.
   *
   * @throws SolverFailure KeyUnavailable (Secret or data key missing), KdcUnreachable or
   *     KerberosFailed (the login failed, now or within {@link #FAILURE_HOLD})
   */
  KerberosLogin lease(DnsUpdateIssuer issuer, IssuerCredential.Kerberos settings)
      throws SolverFailure {
    var m = issuer.getMetadata();
    String id = m.getNamespace() + "/" + m.getName();
    KeytabSecrets.Keytab keytab =
        keytabs.read(
            m.getNamespace(),
            settings.keytabSecret(),
            settings.keytabKey(),
            "DnsUpdateIssuer " + id + ", spec.kerberos.keytabSecretRef");
    Key key =
        new Key(
            m.getNamespace(),
            m.getName(),
            m.getUid(),
            settings,
            keytab.secretUid(),
            keytab.resourceVersion());
    for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
      Outcome[] made = {null};
      Outcome o = Caches.get(cache, key, () -> made[0] = logIn(key, keytab));
      if (o instanceof Failed f) {
        throw new SolverFailure(
            f.reason(),
            o == made[0]
                ? f.message()
                : f.message()
                    + " (this login failed less than "
                    + FAILURE_HOLD.toSeconds()
                    + " s ago; it is tried again after that, or at once when the keytab Secret or"
                    + " spec.kerberos changes)");
      }
      KerberosLogin l = ((LoggedIn) o).login();
      if (l.lease()) {
        return l;
      }
      // retired between the lookup and the lease: no longer in the cache, so look again
    }
    throw new SolverFailure(
        SolverFailure.Reason.InternalError,
        "the Kerberos login of DnsUpdateIssuer " + id + " was replaced during every attempt");
  }

  private Outcome logIn(Key key, KeytabSecrets.Keytab keytab) {
    IssuerCredential.Kerberos s = key.settings();
    Instant start = clock.instant();
    Outcome outcome;
    try {
      // failures name the keytab as the user knows it: the temporary file is gone by then
      String source =
          "the keytab in Secret "
              + key.namespace()
              + "/"
              + s.keytabSecret()
              + " (data key '"
              + s.keytabKey()
              + "')";
      KerberosIdentity identity = login.login(s.principal(), s.kdcs(), keytab.bytes(), source);
      outcome =
          new LoggedIn(
              new KerberosLogin(
                  identity, s, renewAt(identity.ticketExpiry(), start), clock, closer));
      metrics.kerberosLogin(null);
      log.info(
          "Kerberos login as {} for DnsUpdateIssuer {}/{} (keytab Secret {} version {})",
          s.principal(),
          key.namespace(),
          key.issuer(),
          s.keytabSecret(),
          key.secretVersion());
    } catch (GssTsigException e) {
      metrics.kerberosLogin(e.reason().name());
      // the message names the principal and the KDCs, never key material
      outcome = new Failed(e.reason(), e.getMessage());
    }
    // the issuer's other logins (an older keytab or spec) are done with
    cache.asMap().keySet().removeIf(k -> k.sameIssuer(key) && !k.equals(key));
    return outcome;
  }

  /** Before the ticket-granting ticket ends, by {@link #RENEW_MARGIN} or half its lifetime. */
  static Instant renewAt(Optional<Instant> ticketEnd, Instant now) {
    return ticketEnd
        .map(
            end -> {
              Duration life = Duration.between(now, end);
              Duration keep = life.minus(RENEW_MARGIN);
              Duration half = life.dividedBy(2);
              return now.plus(keep.compareTo(half) > 0 ? keep : half);
            })
        .orElse(now.plus(UNKNOWN_TICKET_LIFETIME));
  }

  /** Logins until their renewal (or idleness), failures for the hold. */
  private final class Lifetime implements Expiry<Key, Outcome> {
    @Override
    public long expireAfterCreate(Key key, Outcome o, long now) {
      if (o instanceof LoggedIn l) {
        Duration left = Duration.between(clock.instant(), l.login().renewAt());
        return Math.max(0, Math.min(left.toNanos(), IDLE.toNanos()));
      }
      return FAILURE_HOLD.toNanos();
    }

    @Override
    public long expireAfterUpdate(Key key, Outcome o, long now, long current) {
      return expireAfterCreate(key, o, now);
    }

    @Override
    public long expireAfterRead(Key key, Outcome o, long now, long current) {
      return o instanceof LoggedIn ? expireAfterCreate(key, o, now) : current;
    }
  }

  /** Logins and held failures kept right now (tests). */
  long size() {
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
  }

  /**
   * Drops every login and waits a little for the servers to confirm their context deletes, so a
   * webhook shutting down leaves no contexts behind on its nameservers.
   */
  @Override
  public void close() {
    cache.synchronous().invalidateAll();
    cache.synchronous().cleanUp();
    closer.shutdown();
    try {
      if (!closer.awaitTermination(10, TimeUnit.SECONDS)) {
        closer.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closer.shutdownNow();
    }
  }
}
