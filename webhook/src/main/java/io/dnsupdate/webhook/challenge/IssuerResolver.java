package io.dnsupdate.webhook.challenge;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.config.InvalidSpecException;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import org.xbill.DNS.Name;

/**
 * Policy before secrets: the DnsUpdateIssuer is looked up in the challenge's namespace only, must
 * be Ready for its current generation and must allow the name; only then is its TsigKey found and
 * the key Secret read, or its keytab Secret read and its Kerberos login leased, so a challenge for
 * a name the issuer does not own never touches a key.
 */
final class IssuerResolver {
  /** Issuers (and generations of them) whose parsed settings are kept. */
  static final int MAX_SETTINGS = 512;

  /**
   * Settings of a generation nobody used for this long are dropped: they never go stale (a new spec
   * is a new generation), but a deleted issuer's or an old generation's should not stay.
   */
  static final Duration SETTINGS_IDLE = Duration.ofHours(1);

  private final ResourceDirectory directory;
  private final KeyMaterialCache keys;
  private final KerberosLogins logins;
  private final SpecDerived<DnsUpdateIssuer, IssuerSettings> bySpec;

  IssuerResolver(
      ResourceDirectory directory, KeyMaterialCache keys, KerberosLogins logins, Clock clock) {
    this.directory = directory;
    this.keys = keys;
    this.logins = logins;
    this.bySpec =
        new SpecDerived<>(
            Caffeine.newBuilder()
                .maximumSize(MAX_SETTINGS)
                .expireAfterAccess(SETTINGS_IDLE)
                .ticker(Caches.ticker(clock)),
            IssuerResolver::parse);
  }

  /**
   * The issuer {@code namespace/issuerName} with its settings and key or login, if it may serve
   * fqdn; the caller closes it when done (a login is leased until then).
   */
  ResolvedIssuer resolve(String namespace, String issuerName, Name fqdn) throws SolverFailure {
    if (!directory.synced()) {
      throw new SolverFailure(
          SolverFailure.Reason.NotReady,
          "the webhook is still loading DnsUpdateIssuers and TsigKeys; cert-manager will retry");
    }
    String id = namespace + "/" + issuerName;
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
    IssuerSettings settings = bySpec.get(issuer);
    if (!settings.domainPolicy().allows(fqdn)) {
      throw new SolverFailure(
          SolverFailure.Reason.DomainNotAllowed,
          "'"
              + fqdn
              + "' is not a challenge name for the domains of DnsUpdateIssuer "
              + id
              + " "
              + settings.domainPolicy().domains()
              + ": add the domain to spec.domains, or use an issuer that lists it");
    }
    if (settings.credential() instanceof IssuerCredential.Kerberos kerberos) {
      return new ResolvedIssuer(
          issuer, settings, new ResolvedIssuer.Login(logins.lease(issuer, kerberos)));
    }
    IssuerCredential.TsigKeyRef keyRef = (IssuerCredential.TsigKeyRef) settings.credential();
    TsigKey tsigKey =
        directory
            .tsigKey(namespace, keyRef.name())
            .orElseThrow(
                () ->
                    new SolverFailure(
                        SolverFailure.Reason.KeyUnavailable,
                        "TsigKey "
                            + namespace
                            + "/"
                            + keyRef.name()
                            + " (spec.tsigKeyRef of DnsUpdateIssuer "
                            + id
                            + ") does not exist"));
    return new ResolvedIssuer(issuer, settings, new ResolvedIssuer.Key(tsigKey, keys.get(tsigKey)));
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

  private static IssuerSettings parse(DnsUpdateIssuer issuer) throws SolverFailure {
    try {
      return IssuerSettings.parse(issuer.getSpec());
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
  }

  /** Settings kept right now (tests). */
  long cachedSettings() {
    return bySpec.size();
  }
}
