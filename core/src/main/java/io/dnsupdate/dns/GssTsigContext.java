package io.dnsupdate.dns;

import io.dnsupdate.dns.gss.DnsChannel;
import io.dnsupdate.dns.gss.GssProblem;
import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.GssTsigSession;
import io.dnsupdate.dns.gss.KerberosIdentity;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * The GSS-TSIG credential of one Kerberos identity with one nameserver endpoint and service
 * principal: holds one security context, negotiated lazily by TKEY over the shared connection pool,
 * reused by every request of every thread until it comes within {@link #margin} of its expiry, and
 * renegotiated once for all requests when the server rejects it. {@link #close()} asks the server
 * to forget the context (TKEY mode 5). Thread-safe.
 */
public final class GssTsigContext implements RequestSigner, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GssTsigContext.class);

  /** A context this close to its expiry is replaced before use: a request must not outlive it. */
  public static final Duration DEFAULT_MARGIN = Duration.ofMinutes(5);

  private final KerberosIdentity identity;
  private final ServerEndpoint endpoint;
  private final String serverName;
  private final String servicePrincipal;
  private final Name algorithm;
  private final Clock clock;
  private final Duration margin;
  private final ConnectionPool pool;
  private final DnsExchange exchange;
  private final AtomicInteger negotiations = new AtomicInteger();
  private final ReentrantLock turn = new ReentrantLock(true);
  private GssTsigSession session; // guarded by this
  private boolean closed; // guarded by this
  private volatile boolean deletedOnServer;

  /**
   * A context with the nameserver at {@code endpoint}, whose service principal is {@code
   * DNS/serverName@REALM} (the identity's realm), under the {@code gss-tsig} algorithm name.
   *
   * @param serverName the nameserver's host name (its SOA MNAME, as nsupdate takes it); null for
   *     the endpoint's host, which must then be a name, not an address
   */
  public static GssTsigContext of(
      KerberosIdentity identity, ServerEndpoint endpoint, String serverName) {
    return new GssTsigContext(identity, endpoint, serverName, null, null, Clock.systemUTC());
  }

  /**
   * @param servicePrincipal the nameserver's principal; null for {@code DNS/serverName@REALM}
   * @param algorithm {@link GssTsigSession#GSS_TSIG} or {@link GssTsigSession#GSS_MICROSOFT}; null
   *     for the first
   */
  public GssTsigContext(
      KerberosIdentity identity,
      ServerEndpoint endpoint,
      String serverName,
      String servicePrincipal,
      Name algorithm,
      Clock clock) {
    this(
        identity,
        endpoint,
        serverName,
        servicePrincipal,
        algorithm,
        clock,
        DEFAULT_MARGIN,
        ConnectionPool.shared());
  }

  GssTsigContext(
      KerberosIdentity identity,
      ServerEndpoint endpoint,
      String serverName,
      String servicePrincipal,
      Name algorithm,
      Clock clock,
      Duration margin,
      ConnectionPool pool) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (serverName == null || serverName.isBlank()) {
      if (endpoint.nameserver().isIpLiteral()) {
        throw new IllegalArgumentException(
            "GSS-TSIG with nameserver "
                + endpoint
                + " needs its host name (the service principal is DNS/<host name>@REALM)");
      }
      serverName = endpoint.nameserver().host();
    }
    this.serverName = serverName;
    this.servicePrincipal =
        servicePrincipal == null
            ? GssTsigSession.servicePrincipal(serverName, identity.credentials().realm())
            : servicePrincipal;
    this.algorithm = algorithm == null ? GssTsigSession.GSS_TSIG : algorithm;
    if (!this.algorithm.equals(GssTsigSession.GSS_TSIG)
        && !this.algorithm.equals(GssTsigSession.GSS_MICROSOFT)) {
      throw new IllegalArgumentException(
          "GSS-TSIG algorithm must be "
              + GssTsigSession.GSS_TSIG
              + " or "
              + GssTsigSession.GSS_MICROSOFT
              + ", not "
              + algorithm);
    }
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.margin = Objects.requireNonNull(margin, "margin");
    this.pool = pool;
    this.exchange = new DnsExchange(endpoint, this.clock, pool);
  }

  public ServerEndpoint endpoint() {
    return endpoint;
  }

  /** The client principal, {@code name@REALM}. */
  public String principal() {
    return identity.principal();
  }

  /** The nameserver's principal the context is negotiated with. */
  public String servicePrincipal() {
    return servicePrincipal;
  }

  @Override
  public String who() {
    return "principal '" + identity.principal() + "'";
  }

  Clock clock() {
    return clock;
  }

  ConnectionPool pool() {
    return pool;
  }

  /** Whether {@link #close()} got the server's signed confirmation of the TKEY delete. */
  public boolean deletedOnServer() {
    return deletedOnServer;
  }

  /** Contexts negotiated so far (tests count them). */
  public int negotiations() {
    return negotiations.get();
  }

  /**
   * Waits until no other request signed with this context is in flight. BIND 9.18.49 (MIT GSS-API)
   * checks the sequence numbers of the requests' MICs: a request that arrives ahead of one signed
   * before it is answered BADSIG, and so is every later one (seen here: sign A, B, C; send C first:
   * all three BADSIG). Pipelined over two connections from several threads, arrival order cannot be
   * promised, so requests take turns; they still share the context and the pooled connection. A
   * request signed but never delivered leaves a gap the server answers BADSIG to; {@link
   * #renegotiate} heals that.
   */
  void enter(Duration timeout, String subject) throws DnsUpdateException {
    try {
      if (!turn.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new DnsUpdateException(
            FailureReason.NameserverUnreachable,
            "no turn for "
                + subject
                + " within "
                + timeout.toMillis()
                + " ms: earlier GSS-TSIG requests to nameserver "
                + endpoint
                + " are still waiting for answers");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DnsUpdateException(
          FailureReason.NameserverUnreachable, "interrupted while waiting to send " + subject);
    }
  }

  void leave() {
    turn.unlock();
  }

  /** The context to sign with: the current one, or a new one when there is none or it expires. */
  synchronized GssTsigSession session() throws GssTsigException {
    if (closed) {
      throw new IllegalStateException("GSS-TSIG context for " + principal() + " is closed");
    }
    if (session == null || !session.isUsable(margin)) {
      // An expiring session is not disposed of: requests signed with it may still be in flight,
      // and the server forgets it at its expiry anyway.
      session = negotiate();
    }
    return session;
  }

  /**
   * A context to replace {@code rejected}: one negotiation for all the requests the server rejected
   * together, whichever of them comes first.
   */
  synchronized GssTsigSession renegotiate(GssTsigSession rejected) throws GssTsigException {
    if (closed) {
      throw new IllegalStateException("GSS-TSIG context for " + principal() + " is closed");
    }
    if (session == rejected || session == null || !session.isUsable(margin)) {
      // Not disposed of either: other answers signed with it may still be verified.
      session = null;
      session = negotiate();
    }
    return session;
  }

  private GssTsigSession negotiate() throws GssTsigException {
    negotiations.incrementAndGet();
    GssTsigSession fresh =
        GssTsigSession.negotiate(
            identity, new PooledChannel(), serverName, servicePrincipal, algorithm, clock);
    log.debug("negotiated GSS-TSIG context {} with {}", fresh.keyName(), endpoint);
    return fresh;
  }

  /** TKEY negotiation and deletion through the pool, failures as the rest of the exchange's. */
  private final class PooledChannel implements DnsChannel {
    @Override
    public byte[] exchange(IntFunction<byte[]> wireFor) throws GssTsigException {
      long deadlineNanos = System.nanoTime() + endpoint.timeout().toNanos();
      try {
        return exchange.stream(wireFor, deadlineNanos, "the GSS-TSIG context of " + principal());
      } catch (GssTsigException e) {
        throw e;
      } catch (DnsUpdateException e) {
        throw new GssTsigException(
            e.reason() == FailureReason.NameserverUnreachable
                ? GssProblem.NAMESERVER_UNREACHABLE
                : GssProblem.RESPONSE_NOT_VERIFIED,
            e.getMessage(),
            e);
      }
    }

    @Override
    public String where() {
      return endpoint.toString();
    }
  }

  /**
   * Asks the nameserver to forget the current context (TKEY mode 5) and forgets it here; later
   * requests fail. A server that does not confirm is logged: it forgets the context at its expiry.
   */
  @Override
  public void close() {
    GssTsigSession last;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      last = session;
      session = null;
    }
    if (last == null) {
      return;
    }
    // After the request in flight, if any: deleting the context under it would fail its answer.
    boolean turnTaken = false;
    try {
      turnTaken = turn.tryLock(endpoint.timeout().toNanos(), TimeUnit.NANOSECONDS);
      last.delete();
      deletedOnServer = true;
      log.debug("{} deleted GSS-TSIG context {}", endpoint, last.keyName());
    } catch (GssTsigException | RuntimeException e) {
      log.debug(
          "{} did not delete GSS-TSIG context {}: {}", endpoint, last.keyName(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      last.close();
    } finally {
      if (turnTaken) {
        turn.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "GssTsigContext[" + principal() + " at " + endpoint + " for " + servicePrincipal + "]";
  }
}
