package io.dnsupdate.operator.status;

import io.dnsupdate.api.ApiConstants;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The {@code Reconciling} and {@code Stalled} conditions that kstatus (Flux, kubectl, cli-utils)
 * reads beside {@code Ready}: Reconciling True while the operator is still working towards Ready (a
 * probe pending, waiting for a key, a transient network failure being retried), Stalled True when
 * it cannot get there without someone changing the spec, a Secret or the nameserver. Both stay in
 * the list as False otherwise, so their transition times tell when that last changed.
 */
public final class Health {
  /** Where a resource stands, as kstatus would say it. */
  public enum Progress {
    /** Ready True for this generation: neither Reconciling nor Stalled. */
    SETTLED,
    /** Work is pending: Reconciling True. */
    RECONCILING,
    /** It cannot progress without user action: Stalled True. */
    STALLED
  }

  private Health() {}

  /**
   * {@code current} with Reconciling and Stalled set for {@code progress}; the reason and message
   * go to the condition that is True (both False conditions carry the reason too, message empty).
   */
  public static List<Condition> apply(
      Conditions conditions,
      List<Condition> current,
      Progress progress,
      Enum<?> reason,
      String message,
      Long observedGeneration) {
    List<Condition> out =
        conditions.set(
            current,
            ApiConstants.CONDITION_RECONCILING,
            progress == Progress.RECONCILING,
            reason,
            progress == Progress.RECONCILING ? message : "",
            observedGeneration);
    return conditions.set(
        out,
        ApiConstants.CONDITION_STALLED,
        progress == Progress.STALLED,
        reason,
        progress == Progress.STALLED ? message : "",
        observedGeneration);
  }
}
