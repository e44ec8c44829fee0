package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.dns.gss.GssTsigException;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.operator.status.ApiFailure;
import io.dnsupdate.operator.status.SafeMessages;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Evaluates a Kerberos issuer: reads the keytab Secret with a plain {@code get} (a user's Secret,
 * unlabelled: never listed or watched, so a new keytab is seen at the next probe), logs in from the
 * bytes, and runs the same {@link IssuerProbe} as for a TsigKey with the principal's GSS-TSIG
 * contexts, which are deleted on the nameservers afterwards. A login per probe: the probe then also
 * proves that the keytab still logs in, and no ticket outlives it.
 */
final class KerberosEvaluator {
  /** The random first label of a GSS-TSIG context's name (GssTsigSession's hex label). */
  private static final Pattern CONTEXT_LABEL = Pattern.compile("\\b[0-9a-f]{8,}\\.sig-");

  private final IssuerProbe probe;
  private final Clock clock;

  KerberosEvaluator(IssuerProbe probe, Clock clock) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The outcome; its message never holds the keytab, in base64 or raw. */
  IssuerOutcome evaluate(
      DnsUpdateIssuer issuer,
      IssuerSettings settings,
      IssuerCredential.Kerberos credential,
      KubernetesClient client) {
    String namespace = issuer.getMetadata().getNamespace();
    String where =
        "the keytab Secret '"
            + credential.keytabSecret()
            + "' (namespace '"
            + namespace
            + "') of Kerberos principal '"
            + credential.principal()
            + "'";
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(credential.keytabSecret()).get();
    } catch (KubernetesClientException e) {
      ApiFailure failure =
          ApiFailure.of("get", "", "secrets", namespace, credential.keytabSecret(), e, s -> s);
      return notReady(credential, where + " cannot be read: " + failure.message());
    }
    if (secret == null) {
      return notReady(
          credential,
          where
              + " does not exist: create it with the principal's keytab under data key '"
              + credential.keytabKey()
              + "' (kubectl create secret generic "
              + credential.keytabSecret()
              + " --from-file="
              + credential.keytabKey()
              + "=<file made by kadmin ktadd or ktpass>), or correct"
              + " spec.kerberos.keytabSecretRef");
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    String encoded = data.get(credential.keytabKey());
    if (encoded == null) {
      return notReady(
          credential,
          where
              + " has no data key '"
              + credential.keytabKey()
              + "' (it has: "
              + (data.isEmpty() ? "none" : String.join(", ", new TreeSet<>(data.keySet())))
              + "): put the keytab there, or set spec.kerberos.keytabSecretRef.key");
    }
    byte[] keytab;
    try {
      keytab = Base64.getMimeDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return notReady(
          credential, where + ": data key '" + credential.keytabKey() + "' is not base64");
    }
    if (keytab.length == 0) {
      return notReady(
          credential,
          where + ": data key '" + credential.keytabKey() + "' is empty: put the keytab there");
    }
    IssuerOutcome outcome = loginAndProbe(settings, credential, keytab);
    return redacted(outcome, secret);
  }

  private IssuerOutcome loginAndProbe(
      IssuerSettings settings, IssuerCredential.Kerberos credential, byte[] keytab) {
    KerberosIdentity identity;
    try {
      // failures name the keytab as the Secret, not the temporary file (a new, deleted name each
      // probe: it would rewrite the status of a failing issuer every time)
      identity =
          KerberosIdentity.login(
              credential.principal(),
              credential.kdcs(),
              keytab,
              "the keytab of Secret '"
                  + credential.keytabSecret()
                  + "' (key '"
                  + credential.keytabKey()
                  + "')");
    } catch (GssTsigException e) {
      return new IssuerOutcome(
          IssuerReason.of(e.reason()),
          e.getMessage(),
          settings.zone().map(Object::toString).orElse(null),
          null,
          credential.principal(),
          clock.instant(),
          false);
    } finally {
      // the Subject holds the ticket now; the bytes have no further use here
      Arrays.fill(keytab, (byte) 0);
    }
    try (GssProbeSigner signer = new GssProbeSigner(identity, credential, clock)) {
      IssuerOutcome o = probe.probe(settings, signer);
      return o.withMessage(withoutContextNames(o.message()));
    }
  }

  /**
   * An engine message may name the GSS-TSIG context ({@code <random hex>.sig-<server>.}, e.g. a
   * signature rejected for clock skew): a new name at every probe, which would rewrite the status
   * (and lastProbeTime) of a failing issuer each time. The random label is left out.
   */
  static String withoutContextNames(String message) {
    return CONTEXT_LABEL.matcher(message).replaceAll("<random>.sig-");
  }

  private static IssuerOutcome notReady(IssuerCredential.Kerberos credential, String message) {
    return new IssuerOutcome(
        IssuerReason.KeytabNotReady, message, null, null, credential.principal(), null, false);
  }

  /** The last line of defence: no value of the keytab Secret in the message. */
  private static IssuerOutcome redacted(IssuerOutcome o, Secret secret) {
    return o.withMessage(SafeMessages.withoutValues(o.message(), secret));
  }
}
