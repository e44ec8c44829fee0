package io.dnsupdate.charts;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The value sets every rendered-manifest test runs against. */
enum ValuesScenario {
  /** The chart's values.yaml alone. */
  DEFAULTS(null),
  /** HA operator, watched namespaces, cert-manager elsewhere, private images, custom resources. */
  CUSTOM("src/test/resources/values/custom.yaml"),
  /** Optional objects off, existing ServiceAccounts, single webhook replica. */
  MINIMAL("src/test/resources/values/minimal.yaml");

  private final String valuesFile;

  ValuesScenario(String valuesFile) {
    this.valuesFile = valuesFile;
  }

  /** The values file layered over values.yaml, or null for the defaults. */
  Path valuesFile() {
    return valuesFile == null ? null : Paths.get(valuesFile);
  }
}
