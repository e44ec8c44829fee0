package io.dnsupdate.operator.issuer;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.InvalidKeySecretException;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evaluates an issuer that signs with a TsigKey: the TsigKey must be Ready and its key Secret
 * readable (both from the reconciler's informers), then the probe runs with its current key, and
 * with the previous one during a rotation overlap.
 */
final class TsigKeyEvaluator {
  private final IssuerProbe probe;

  TsigKeyEvaluator(IssuerProbe probe) {
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  /**
   * @param key the TsigKey named by the issuer, if it exists
   * @param secrets the key Secrets the operator writes, by namespace and name
   */
  Evaluation evaluate(
      IssuerSettings settings,
      String namespace,
      String keyName,
      Optional<TsigKey> key,
      Function<ResourceID, Optional<Secret>> secrets) {
    if (key.isEmpty()) {
      return keyNotReady(
          "TsigKey '"
              + keyName
              + "' does not exist in namespace '"
              + namespace
              + "'; create it or correct spec.tsigKeyRef.name");
    }
    if (key.get().getStatus() == null
        || !Conditions.isTrue(key.get().getStatus().getConditions(), ApiConstants.CONDITION_READY)
        || key.get().getStatus().getSecretName() == null) {
      String why =
          Optional.ofNullable(key.get().getStatus())
              .flatMap(s -> Conditions.find(s.getConditions(), ApiConstants.CONDITION_READY))
              .map(c -> " (" + c.getReason() + ": " + c.getMessage() + ")")
              .orElse(" (the operator has not reconciled it yet)");
      return keyNotReady("TsigKey '" + keyName + "' is not ready" + why);
    }
    String secretName = key.get().getStatus().getSecretName();
    Optional<Secret> secret = secrets.apply(new ResourceID(secretName, namespace));
    if (secret.isEmpty()) {
      return keyNotReady(
          "the key Secret '" + secretName + "' of TsigKey '" + keyName + "' does not exist yet");
    }
    KeyMaterial keys;
    try {
      keys = KeySecretCodec.fromSecret(secret.get());
    } catch (InvalidKeySecretException e) {
      return keyNotReady(
          "the key Secret '"
              + secretName
              + "' of TsigKey '"
              + keyName
              + "' cannot be read: "
              + e.getMessage());
    }
    return new Evaluation(probe.probe(settings, keys), keys);
  }

  private static Evaluation keyNotReady(String message) {
    return new Evaluation(IssuerOutcome.unprobed(IssuerReason.KeyNotReady, message), null);
  }
}
