package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's default memory limits leave room for the JVM flags the images ship ({@code
 * <component>/jvm.options}, measured by the memory benchmarks): the limit holds at least the JVM's
 * own ceilings (heap, metaspace, code cache, direct memory), so that raising one flag without the
 * limit fails here rather than as an OOM kill in a cluster.
 */
class JvmSizingTest {

  private static List<String> options(String component) throws IOException {
    return Files.readAllLines(Paths.get("..", component, "jvm.options")).stream()
        .map(l -> l.replaceAll("#.*", "").trim())
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** The size in bytes of the flag with this prefix (e.g. {@code -Xmx}, {@code -XX:Foo=}). */
  private static long size(List<String> options, String prefix) {
    String value =
        options.stream()
            .filter(o -> o.startsWith(prefix))
            .reduce((first, last) -> last)
            .orElseThrow(() -> new AssertionError("jvm.options sets no " + prefix))
            .substring(prefix.length())
            .toLowerCase(Locale.ROOT);
    long unit =
        switch (value.charAt(value.length() - 1)) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          default -> 1L;
        };
    String digits =
        Character.isDigit(value.charAt(value.length() - 1))
            ? value
            : value.substring(0, value.length() - 1);
    return Long.parseLong(digits) * unit;
  }

  @ParameterizedTest
  @ValueSource(strings = {"operator", "webhook"})
  void theMemoryLimitHoldsTheJvmsCeilings(String component) throws IOException {
    List<String> options = options(component);
    Container c =
        RenderedChart.of(ValuesScenario.DEFAULTS)
            .deployment(component)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    BigDecimal limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory"));
    BigDecimal request = Quantity.getAmountInBytes(c.getResources().getRequests().get("memory"));
    long ceilings =
        size(options, "-Xmx")
            + size(options, "-XX:MaxMetaspaceSize=")
            + size(options, "-XX:ReservedCodeCacheSize=")
            + size(options, "-XX:MaxDirectMemorySize=");

    assertThat(limit)
        .as(component + " memory limit")
        .isGreaterThanOrEqualTo(BigDecimal.valueOf(ceilings));
    assertThat(request).as(component + " memory request").isLessThanOrEqualTo(limit);
    // a heap that ran out exits and is restarted, rather than serving half-broken
    assertThat(options).contains("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC");
  }
}
