package io.dnsupdate.operator.status;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A failed API call of a reconciler's, carrying the classified {@link ApiFailure}. It replaces
 * fabric8's exception so that what JOSDK logs and retries on holds only the safe message: no cause
 * is kept, and the server's text is in it only redacted. Still a {@link KubernetesClientException}
 * with the HTTP code, so JOSDK treats a 409 as the conflict it is.
 */
public final class ApiCallException extends KubernetesClientException {
  private final transient ApiFailure failure;

  public ApiCallException(ApiFailure failure) {
    super(Objects.requireNonNull(failure, "failure").message(), failure.code(), null);
    this.failure = failure;
  }

  public ApiFailure failure() {
    return failure;
  }

  /**
   * Runs {@code call}; a {@link KubernetesClientException} from it becomes an {@link
   * ApiCallException} naming the call.
   *
   * @param redact removes secret values (what was being written) from the server's text
   */
  public static <T> T around(
      String verb,
      String group,
      String resource,
      String namespace,
      String name,
      UnaryOperator<String> redact,
      Supplier<T> call) {
    try {
      return call.get();
    } catch (ApiCallException e) {
      throw e;
    } catch (KubernetesClientException e) {
      throw new ApiCallException(ApiFailure.of(verb, group, resource, namespace, name, e, redact));
    }
  }
}
