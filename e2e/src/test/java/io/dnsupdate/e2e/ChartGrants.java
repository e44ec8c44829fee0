package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.k8s.ApiAccess;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.testkit.k8s.RequiredPermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks that every API call the operator and the webhook made is granted by the chart's RBAC. */
final class ChartGrants {
  private static final Comparator<ApiAccess> BY_TEXT = Comparator.comparing(ApiAccess::toString);

  private ChartGrants() {}

  /** Fails naming the first call of {@code stack}'s components that the chart does not grant. */
  static void assertEveryCallGranted(LocalStack stack) {
    RequiredPermissions chart = RequiredPermissions.load();
    Map<String, Set<ApiAccess>> used =
        Map.of("operator", new TreeSet<>(BY_TEXT), "webhook", new TreeSet<>(BY_TEXT));
    for (MockKubernetesApi.Call call : stack.api().calls()) {
      String component =
          switch (call.token()) {
            case LocalStack.OPERATOR_TOKEN -> "operator";
            case LocalStack.WEBHOOK_TOKEN -> "webhook";
            default -> null; // the test's own admin client
          };
      if (component != null) {
        used.get(component).add(ApiAccess.of(call));
      }
    }
    used.forEach(
        (component, calls) -> {
          System.out.println("[api-calls] " + component + ": " + calls);
          assertThat(calls).as("calls of the %s", component).isNotEmpty();
          assertThat(calls)
              .allSatisfy(
                  a ->
                      assertThat(chart.grants(component, a))
                          .as("%s may %s", component, a)
                          .isTrue());
        });
    assertThat(used.get("webhook"))
        .noneMatch(a -> a.resource().equals("secrets") && !a.verb().equals("get"));
  }
}
