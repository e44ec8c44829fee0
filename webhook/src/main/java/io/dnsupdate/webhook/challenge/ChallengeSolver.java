package io.dnsupdate.webhook.challenge;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.DnsUpdateException;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.PropagationChecker;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TlsSettings;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.dns.TxtChange;
import io.dnsupdate.dns.ZoneFinder;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Present and CleanUp: policy first, then traffic. The issuer is looked up in the challenge's
 * namespace only, must be Ready, and must allow the name; only then is the key Secret read and one
 * TXT value added (Present) or exactly that value deleted (CleanUp) — both idempotent. UPDATEs go
 * to the primary, then to the fallbacks when it is unreachable; a rejected key is retried with the
 * rotation's previous key, then with a freshly read Secret. Present answers success only once every
 * authoritative nameserver serves the value (unless the issuer turns verification off). Every call
 * ends within the request budget, well inside kube-apiserver's 60 s.
 */
public final class ChallengeSolver {
  private static final Logger log = LoggerFactory.getLogger(ChallengeSolver.class);

  /** kube-apiserver gives up after 60 s; answer before, with a reason. */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(50);

  private static final Pattern OBJECT_NAME = Pattern.compile(ApiConstants.OBJECT_NAME_PATTERN);
  private static final Pattern NAMESPACE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  private static final Duration ZONE_CACHE_TTL = Duration.ofMinutes(5);
  private static final int MAX_CACHED = 512;

  private final ResourceDirectory directory;
  private final KeyMaterialCache keys;
  private final UpdateBatcher batcher;
  private final Clock clock;
  private final Duration budget;
  private final WebhookMetrics metrics;
  private final Map<String, IssuerSettings> settingsCache = new ConcurrentHashMap<>();
  private final Map<String, CachedZone> zoneCache = new ConcurrentHashMap<>();

  private record CachedZone(Name zone, Instant expires) {}

  /** Where a change went: the server that took it, with which key, in which zone. */
  private record Applied(ServerEndpoint server, TsigCredentials credentials, Name zone) {}

  /** Messages with equal lanes may share one UPDATE. */
  private record Lane(
      Nameserver nameserver,
      Transport transport,
      TlsSettings tls,
      Duration timeout,
      TsigCredentials credentials,
      Name zone) {}

  /** Names for the log line and the answer, filled in as they become known. */
  private static final class Trace {
    String namespace = "";
    String issuer = "";
    String fqdn = "";
  }

  public ChallengeSolver(
      ResourceDirectory directory,
      KeyMaterialCache keys,
      UpdateBatcher batcher,
      Clock clock,
      Duration budget,
      WebhookMetrics metrics) {
    this.directory = directory;
    this.keys = keys;
    this.batcher = batcher;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.budget = budget;
    this.metrics = metrics;
  }

  /** Solves one request; never throws. Logs one line and records the outcome. */
  public ChallengeResult solve(ChallengeRequest request) {
    long t0 = System.nanoTime();
    Trace trace = new Trace();
    trace.namespace = printable(request.resourceNamespace());
    String uid = printable(request.uid());
    ChallengeResult result;
    try {
      run(request, trace);
      result = ChallengeResult.success(trace.issuer, trace.fqdn);
    } catch (SolverFailure f) {
      result = ChallengeResult.failure(f, trace.issuer, trace.fqdn);
    } catch (RuntimeException e) {
      log.error("challenge {} in namespace {} failed unexpectedly", uid, trace.namespace, e);
      result =
          ChallengeResult.failure(
              new SolverFailure(
                  SolverFailure.Reason.InternalError,
                  "internal error in the dnsupdate webhook ("
                      + e.getClass().getSimpleName()
                      + "); its log has the details"),
              trace.issuer,
              trace.fqdn);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    metrics.challenge(request.action().wireName(), result.reason(), took);
    if (result.success()) {
      log.info(
          "challenge action={} namespace={} issuer={} fqdn={} outcome=success duration={}ms uid={}",
          request.action().wireName(),
          trace.namespace,
          trace.issuer,
          trace.fqdn,
          took.toMillis(),
          uid);
    } else {
      log.info(
          "challenge action={} namespace={} issuer={} fqdn={} outcome=failure reason={}"
              + " duration={}ms uid={} message=\"{}\"",
          request.action().wireName(),
          trace.namespace,
          trace.issuer,
          trace.fqdn,
          result.reason(),
          took.toMillis(),
          uid,
          result.message());
    }
    return result;
  }

  private void run(ChallengeRequest r, Trace trace) throws SolverFailure {
    Instant deadline = clock.instant().plus(budget);
    if (!r.type().isEmpty() && !"dns-01".equals(r.type())) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.type '" + r.type() + "' is not supported: this webhook solves dns-01 only");
    }
    String namespace = r.resourceNamespace().strip();
    if (namespace.isEmpty()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.resourceNamespace is empty: cannot tell which namespace's DnsUpdateIssuer to"
              + " use");
    }
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.resourceNamespace '" + printable(namespace) + "' is not a namespace name");
    }
    String issuerName = issuerName(r.config(), namespace);
    trace.issuer = namespace + "/" + issuerName;
    Name fqdn = ChallengeNames.challengeName(r);
    trace.fqdn = fqdn.toString();
    ChallengeNames.requireDns01Key(r.key());

    if (!directory.synced()) {
      throw new SolverFailure(
          SolverFailure.Reason.NotReady,
          "the webhook is still loading DnsUpdateIssuers and TsigKeys; cert-manager will retry");
    }
    DnsUpdateIssuer issuer =
        directory
            .issuer(namespace, issuerName)
            .orElseThrow(
                () ->
                    new SolverFailure(
                        SolverFailure.Reason.IssuerNotFound,
                        "DnsUpdateIssuer "
                            + issuerName
                            + " does not exist in namespace "
                            + namespace
                            + " (the challenge's namespace: the Issuer's, or cert-manager's"
                            + " cluster resource namespace for a ClusterIssuer; issuers of other"
                            + " namespaces are never used)"));
    requireReady(issuer);
    IssuerSettings settings = settings(issuer);
    if (!settings.domainPolicy().allows(fqdn)) {
      throw new SolverFailure(
          SolverFailure.Reason.DomainNotAllowed,
          "'"
              + fqdn
              + "' is not a challenge name for the domains of DnsUpdateIssuer "
              + trace.issuer
              + " "
              + settings.domainPolicy().domains()
              + ": add the domain to spec.domains, or use an issuer that lists it");
    }
    TsigKey tsigKey =
        directory
            .tsigKey(namespace, settings.tsigKeyName())
            .orElseThrow(
                () ->
                    new SolverFailure(
                        SolverFailure.Reason.KeyUnavailable,
                        "TsigKey "
                            + namespace
                            + "/"
                            + settings.tsigKeyName()
                            + " (spec.tsigKeyRef of DnsUpdateIssuer "
                            + trace.issuer
                            + ") does not exist"));
    KeyMaterialCache.KeyHandle key = keys.get(tsigKey);

    TxtChange change =
        r.action() == ChallengeAction.PRESENT
            ? TxtChange.add(fqdn, r.key(), settings.ttl())
            : TxtChange.delete(fqdn, r.key());
    Applied applied = apply(settings, issuer, tsigKey, key, change, deadline);
    if (r.action() == ChallengeAction.PRESENT && settings.propagation().verify()) {
      awaitPropagation(settings, applied, fqdn, r.key(), deadline);
    }
  }

  private static String issuerName(JsonNode config, String namespace) throws SolverFailure {
    String how =
        "set config: {issuer: NAME} in the Issuer's dns01.webhook solver (groupName "
            + ApiConstants.SOLVER_GROUP
            + ", solverName "
            + ApiConstants.SOLVER_NAME
            + "), NAME being a DnsUpdateIssuer in namespace "
            + namespace;
    if (config == null) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config is empty: " + how);
    }
    if (!config.isObject()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config is not an object: " + how);
    }
    JsonNode ns = config.get("namespace");
    if (ns != null && !ns.isNull() && !namespace.equals(ns.asText())) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound,
          "config.namespace is not supported: a DnsUpdateIssuer is only looked up in the"
              + " challenge's namespace ("
              + namespace
              + "), so one namespace cannot use another's keys");
    }
    JsonNode issuer = config.get("issuer");
    if (issuer == null || !issuer.isTextual() || issuer.asText().isBlank()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config names no issuer: " + how);
    }
    String name = issuer.asText().strip();
    if (name.length() > 253 || !OBJECT_NAME.matcher(name).matches()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound,
          "config.issuer '"
              + printable(name)
              + "' is not a DnsUpdateIssuer name (lower-case letters, digits, '-' and '.'; the"
              + " issuer is looked up in namespace "
              + namespace
              + " only)");
    }
    return name;
  }

  /** At most 80 printable ASCII characters of a caller-supplied value, for messages and logs. */
  static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static void requireReady(DnsUpdateIssuer issuer) throws SolverFailure {
    String id = issuer.getMetadata().getNamespace() + "/" + issuer.getMetadata().getName();
    DnsUpdateIssuerStatus status = issuer.getStatus();
    Condition ready = null;
    if (status != null) {
      for (Condition c : status.getConditions()) {
        if (ApiConstants.CONDITION_READY.equals(c.getType())) {
          ready = c;
        }
      }
    }
    if (ready == null || !"True".equals(ready.getStatus())) {
      StringBuilder m = new StringBuilder("DnsUpdateIssuer ").append(id).append(" is not Ready");
      if (ready == null) {
        m.append(": the operator has not checked it yet (is the operator running?)");
      } else {
        if (ready.getReason() != null && !ready.getReason().isBlank()) {
          m.append(" (").append(ready.getReason()).append(')');
        }
        if (ready.getMessage() != null && !ready.getMessage().isBlank()) {
          m.append(": ").append(ready.getMessage());
        }
      }
      throw new SolverFailure(SolverFailure.Reason.IssuerNotReady, m.toString());
    }
    Long generation = issuer.getMetadata().getGeneration();
    Long observed = status.getObservedGeneration();
    if (generation != null && observed != null && observed < generation) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotReady,
          "DnsUpdateIssuer "
              + id
              + " changed (generation "
              + generation
              + ") and the operator has not checked it since (observedGeneration "
              + observed
              + "); cert-manager will retry");
    }
  }

  private IssuerSettings settings(DnsUpdateIssuer issuer) throws SolverFailure {
    String version = issuer.getMetadata().getResourceVersion();
    String cacheKey =
        version == null
            ? null
            : issuer.getMetadata().getNamespace()
                + "/"
                + issuer.getMetadata().getName()
                + "@"
                + issuer.getMetadata().getUid()
                + "@"
                + version;
    IssuerSettings cached = cacheKey == null ? null : settingsCache.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    IssuerSettings parsed;
    try {
      parsed = IssuerSettings.parse(issuer.getSpec());
    } catch (InvalidSpecException e) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidIssuer,
          "DnsUpdateIssuer "
              + issuer.getMetadata().getNamespace()
              + "/"
              + issuer.getMetadata().getName()
              + " has an invalid spec: "
              + e.getMessage());
    }
    if (cacheKey != null) {
      if (settingsCache.size() >= MAX_CACHED) {
        settingsCache.clear();
      }
      settingsCache.put(cacheKey, parsed);
    }
    return parsed;
  }

  /**
   * Sends the change with each usable key in turn (current, then the previous one during a rotation
   * overlap), then once more with a freshly read Secret if the nameserver rejected all.
   */
  private Applied apply(
      IssuerSettings settings,
      DnsUpdateIssuer issuer,
      TsigKey tsigKey,
      KeyMaterialCache.KeyHandle key,
      TxtChange change,
      Instant deadline)
      throws SolverFailure {
    List<TsigCredentials> tried = new ArrayList<>();
    DnsUpdateException rejected = null;
    KeyMaterialCache.KeyHandle handle = key;
    for (int round = 0; round < 2; round++) {
      for (TsigCredentials c : handle.material().usableAt(clock.instant())) {
        if (tried.stream().anyMatch(c::sameKeyAs)) {
          continue;
        }
        tried.add(c);
        try {
          return applyWith(settings, issuer, c, change, deadline);
        } catch (DnsUpdateException e) {
          if (e.reason() == FailureReason.UpdateRefused) {
            throw refusedWithHint(settings, issuer, change, e);
          }
          if (e.reason() != FailureReason.KeyRejected) {
            throw SolverFailure.of(e);
          }
          rejected = e;
          log.debug("key {} rejected: {}", c, e.getMessage());
        }
      }
      if (round == 0) {
        handle = keys.refresh(tsigKey, handle);
      }
    }
    String ns = tsigKey.getMetadata().getNamespace();
    throw new SolverFailure(
        SolverFailure.Reason.KeyRejected,
        Objects.requireNonNull(rejected).getMessage()
            + (tried.size() > 1
                ? " (tried "
                    + tried.size()
                    + " keys of TsigKey "
                    + ns
                    + "/"
                    + tsigKey.getMetadata().getName()
                    + ", including the previous key of a rotation)"
                : "")
            + "; the nameserver must know key "
            + tried.get(0).keyName()
            + " with the secret of TsigKey "
            + ns
            + "/"
            + tsigKey.getMetadata().getName()
            + " (fingerprint "
            + tried.get(0).fingerprint()
            + "; its nameserver-config Secret has the clause to install)",
        rejected);
  }

  /** The primary first, the fallbacks when the primary is unreachable. */
  /**
   * A name below a listed domain passes the policy, but BIND can grant exact names only, so the
   * operator rendered no grant for it: say which domain to add instead of leaving the user with a
   * bare REFUSED.
   */
  private static SolverFailure refusedWithHint(
      IssuerSettings settings, DnsUpdateIssuer issuer, TxtChange change, DnsUpdateException e) {
    if (settings.domainPolicy().challengeNames().contains(change.owner())) {
      return SolverFailure.of(e);
    }
    String owner = change.owner().toString();
    String label = DomainPolicy.CHALLENGE_LABEL + ".";
    String domain = owner.substring(owner.indexOf(label) + label.length(), owner.length() - 1);
    return new SolverFailure(
        SolverFailure.reasonOf(e.reason()),
        e.getMessage()
            + ". The operator renders update-policy grants for the exact _acme-challenge name of"
            + " each listed domain only (BIND cannot grant a pattern): add '"
            + domain
            + "' to spec.domains of DnsUpdateIssuer "
            + issuer.getMetadata().getNamespace()
            + "/"
            + issuer.getMetadata().getName()
            + " and load the updated nameserver-config Secret into the nameserver",
        e);
  }

  private Applied applyWith(
      IssuerSettings settings,
      DnsUpdateIssuer issuer,
      TsigCredentials credentials,
      TxtChange change,
      Instant deadline)
      throws DnsUpdateException {
    DnsUpdateException unreachable = null;
    for (ServerEndpoint server : settings.servers()) {
      if (!clock.instant().isBefore(deadline)) {
        break;
      }
      try {
        return applyOn(settings, issuer, server, credentials, change, deadline);
      } catch (DnsUpdateException e) {
        if (e.reason() != FailureReason.NameserverUnreachable) {
          throw e;
        }
        log.debug("{} unreachable, trying the next nameserver: {}", server, e.getMessage());
        unreachable = e;
      }
    }
    if (unreachable != null) {
      if (settings.servers().size() > 1) {
        throw new DnsUpdateException(
            FailureReason.NameserverUnreachable,
            "none of the "
                + settings.servers().size()
                + " nameservers of the issuer answered; last: "
                + unreachable.getMessage(),
            unreachable);
      }
      throw unreachable;
    }
    throw new DnsUpdateException(
        FailureReason.NameserverUnreachable,
        "the request budget of " + budget.toSeconds() + " s ran out before the update was sent");
  }

  /**
   * One server. The zone is spec.zone, else the operator's status.zone when it holds the name, else
   * discovered by SOA query; a status zone the server rejects as wrong (a delegated {@code
   * _acme-challenge} subzone) is replaced by a discovered one.
   */
  private Applied applyOn(
      IssuerSettings settings,
      DnsUpdateIssuer issuer,
      ServerEndpoint server,
      TsigCredentials credentials,
      TxtChange change,
      Instant deadline)
      throws DnsUpdateException {
    Name owner = change.owner();
    if (settings.zone().isPresent()) {
      Name zone = settings.zone().get();
      send(server, credentials, zone, change, deadline);
      return new Applied(server, credentials, zone);
    }
    Name statusZone = statusZone(issuer);
    if (statusZone != null && owner.subdomain(statusZone)) {
      try {
        send(server, credentials, statusZone, change, deadline);
        return new Applied(server, credentials, statusZone);
      } catch (DnsUpdateException e) {
        if (e.reason() != FailureReason.ZoneNotFound) {
          throw e;
        }
        Name found = discover(server, credentials, owner, true);
        if (found.equals(statusZone)) {
          throw e;
        }
        send(server, credentials, found, change, deadline);
        return new Applied(server, credentials, found);
      }
    }
    Name zone = discover(server, credentials, owner, false);
    send(server, credentials, zone, change, deadline);
    return new Applied(server, credentials, zone);
  }

  private void send(
      ServerEndpoint server,
      TsigCredentials credentials,
      Name zone,
      TxtChange change,
      Instant deadline)
      throws DnsUpdateException {
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative() || left.isZero()) {
      throw new DnsUpdateException(
          FailureReason.NameserverUnreachable,
          "the request budget of " + budget.toSeconds() + " s ran out before the update was sent");
    }
    DnsUpdateClient client = new DnsUpdateClient(server, credentials, clock);
    Lane lane =
        new Lane(
            server.nameserver(),
            server.transport(),
            server.tls(),
            server.timeout(),
            credentials,
            zone);
    batcher.apply(lane, client::apply, zone, change, left);
  }

  private Name discover(
      ServerEndpoint server, TsigCredentials credentials, Name owner, boolean fresh)
      throws DnsUpdateException {
    String cacheKey = server + "|" + credentials.keyName() + "|" + owner;
    Instant now = clock.instant();
    CachedZone hit = zoneCache.get(cacheKey);
    if (!fresh && hit != null && now.isBefore(hit.expires())) {
      return hit.zone();
    }
    Name zone = new ZoneFinder(new DnsQuery(server, credentials, clock)).findZone(owner);
    if (zoneCache.size() >= MAX_CACHED) {
      zoneCache.clear();
    }
    zoneCache.put(cacheKey, new CachedZone(zone, now.plus(ZONE_CACHE_TTL)));
    return zone;
  }

  private static Name statusZone(DnsUpdateIssuer issuer) {
    String z = issuer.getStatus() == null ? null : issuer.getStatus().getZone();
    if (z == null || z.isBlank()) {
      return null;
    }
    try {
      return Name.fromString(z.strip(), Name.root).canonicalize();
    } catch (TextParseException e) {
      return null;
    }
  }

  private void awaitPropagation(
      IssuerSettings settings, Applied applied, Name fqdn, String value, Instant deadline)
      throws SolverFailure {
    IssuerSettings.Propagation p = settings.propagation();
    Duration left = Duration.between(clock.instant(), deadline);
    Duration wait = p.timeout().compareTo(left) < 0 ? p.timeout() : left;
    String written =
        "the TXT value was written to "
            + applied.server().nameserver()
            + " (zone "
            + applied.zone()
            + "), but ";
    if (wait.isNegative() || wait.isZero()) {
      throw new SolverFailure(
          SolverFailure.Reason.PropagationTimeout,
          written
              + "no time was left to check the authoritative nameservers; cert-manager will retry");
    }
    Duration queryTimeout = settings.timeout().compareTo(wait) < 0 ? settings.timeout() : wait;
    PropagationChecker checker = new PropagationChecker(clock, p.pollInterval(), queryTimeout);
    List<ServerEndpoint> servers;
    try {
      servers =
          p.explicit()
              ? p.nameservers()
              : checker.authoritativeServers(
                  new DnsQuery(applied.server(), applied.credentials(), clock),
                  applied.zone(),
                  p.port());
    } catch (DnsUpdateException e) {
      throw SolverFailure.of(
          written + "the authoritative nameservers of zone " + applied.zone() + " cannot be listed",
          e);
    }
    try {
      checker.awaitPresent(servers, fqdn, value, wait);
    } catch (DnsUpdateException e) {
      throw new SolverFailure(SolverFailure.reasonOf(e.reason()), written + e.getMessage(), e);
    }
  }
}
