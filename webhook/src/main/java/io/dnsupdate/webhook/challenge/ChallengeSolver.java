package io.dnsupdate.webhook.challenge;

import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.TxtChange;
import io.dnsupdate.text.LogSafe;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * Present and CleanUp: policy first, then traffic. The request is checked ({@link RequestChecks}),
 * the issuer of the challenge's namespace resolved to its settings and key or Kerberos login
 * ({@link IssuerResolver}), and one TXT value added (Present) or exactly that value deleted
 * (CleanUp) — both idempotent — by the {@link UpdatePublisher}, which falls back to other
 * nameservers and keys. Present answers success only once every authoritative nameserver serves the
 * value ({@link PropagationWait}; unless the issuer turns verification off). Every call ends within
 * the request budget counted from the request's arrival ({@link Deadline}); a caller that has gone
 * (budget spent, connection closed) gets no UPDATE sent on its behalf.
 */
public final class ChallengeSolver {
  private static final Logger log = LoggerFactory.getLogger(ChallengeSolver.class);

  private final Clock clock;
  private final WebhookMetrics metrics;
  private final IssuerResolver issuers;
  private final UpdatePublisher publisher;
  private final PropagationWait propagation;

  /** Names for the log line and the answer, filled in as they become known. */
  private static final class Trace {
    String namespace = "";
    String issuer = "";
    String fqdn = "";
  }

  public ChallengeSolver(
      ResourceDirectory directory,
      KeyMaterialCache keys,
      KerberosLogins logins,
      UpdateBatcher batcher,
      Clock clock,
      WebhookMetrics metrics) {
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.metrics = metrics;
    this.issuers = new IssuerResolver(directory, keys, logins, this.clock);
    this.publisher = new UpdatePublisher(keys, batcher, this.clock, IssuerSettings.REQUEST_BUDGET);
    this.propagation = new PropagationWait(this.clock);
  }

  /**
   * Solves one request by its deadline; never throws. Logs one line and records the outcome.
   *
   * @param deadline from the request's arrival; also says whether the caller is still there
   */
  public ChallengeResult solve(ChallengeRequest request, Deadline deadline) {
    return solve(request, deadline, false);
  }

  /**
   * {@link #solve(ChallengeRequest, Deadline)}, or with {@code dryRun} (Kubernetes' {@code
   * ?dryRun=All}) every check — request, issuer and policy, key and its Secret, or keytab Secret
   * and Kerberos login — and no DNS change.
   */
  public ChallengeResult solve(ChallengeRequest request, Deadline deadline, boolean dryRun) {
    long t0 = System.nanoTime();
    Trace trace = new Trace();
    trace.namespace = LogSafe.of(request.resourceNamespace());
    String uid = LogSafe.of(request.uid());
    ChallengeResult result;
    try {
      run(request, deadline, dryRun, trace);
      result = ChallengeResult.success(trace.issuer, trace.fqdn);
    } catch (SolverFailure f) {
      result = ChallengeResult.failure(abandonedOr(f, deadline), trace.issuer, trace.fqdn);
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
          "challenge action={}{} namespace={} issuer={} fqdn={} outcome=success duration={}ms"
              + " uid={}",
          request.action().wireName(),
          dryRun ? " dryRun=All" : "",
          trace.namespace,
          trace.issuer,
          trace.fqdn,
          took.toMillis(),
          uid);
    } else {
      log.info(
          "challenge action={}{} namespace={} issuer={} fqdn={} outcome=failure reason={}"
              + " duration={}ms uid={} message=\"{}\"",
          request.action().wireName(),
          dryRun ? " dryRun=All" : "",
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

  /**
   * A failure that happened because the caller went (its thread was interrupted while it waited on
   * DNS, or the last look before the UPDATE saw it gone) is told as {@code Abandoned}: what was
   * interrupted is no fault of the nameserver.
   */
  private static SolverFailure abandonedOr(SolverFailure f, Deadline d) {
    if (f.reason() == SolverFailure.Reason.Abandoned || !d.callerGone().getAsBoolean()) {
      return f;
    }
    return new SolverFailure(
        SolverFailure.Reason.Abandoned,
        Deadline.CALLER_GONE
            + " while the challenge was in progress ("
            + f.getMessage()
            + "); cert-manager will retry",
        f);
  }

  private void run(ChallengeRequest r, Deadline d, boolean dryRun, Trace trace)
      throws SolverFailure {
    String namespace = RequestChecks.namespace(r);
    String issuerName = RequestChecks.issuerName(r.config(), namespace);
    trace.issuer = namespace + "/" + issuerName;
    Name fqdn = ChallengeNames.challengeName(r);
    trace.fqdn = fqdn.toString();
    ChallengeNames.requireDns01Key(r.key());

    try (ResolvedIssuer issuer = issuers.resolve(namespace, issuerName, fqdn)) {
      if (dryRun) {
        return; // everything a real call checks before its UPDATE passed
      }
      String gone = d.abandoned(clock);
      if (gone != null) {
        throw new SolverFailure(
            SolverFailure.Reason.Abandoned, gone + "; no UPDATE was sent, cert-manager will retry");
      }
      if (r.action() == ChallengeAction.PRESENT) {
        present(issuer, fqdn, r.key(), d);
      } else {
        cleanUp(issuer, fqdn, r.key(), d);
      }
    }
  }

  /** Adds the value, then waits until the authoritative nameservers serve it. */
  private void present(ResolvedIssuer issuer, Name fqdn, String value, Deadline deadline)
      throws SolverFailure {
    TxtChange add = TxtChange.add(fqdn, value, issuer.settings().ttl());
    UpdatePublisher.Applied applied = publisher.publish(issuer, add, deadline);
    if (issuer.settings().propagation().verify()) {
      propagation.await(issuer.settings(), applied, fqdn, value, deadline.at());
    }
  }

  /** Deletes exactly this value: another challenge for the same name may still need its own. */
  private void cleanUp(ResolvedIssuer issuer, Name fqdn, String value, Deadline deadline)
      throws SolverFailure {
    publisher.publish(issuer, TxtChange.delete(fqdn, value), deadline);
  }
}
