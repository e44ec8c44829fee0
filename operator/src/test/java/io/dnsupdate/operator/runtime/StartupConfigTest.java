package io.dnsupdate.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupConfigTest {
  @TempDir Path dir;

  @Test
  void aFailingApiCallIsRetriedAFewTimesInsideTheClientNotForSeconds() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]",
            "users: [{name: u, user: {token: t}}]",
            "contexts: [{name: x, context: {cluster: c, user: u}}]",
            "current-context: x",
            ""));
    OperatorOptions options =
        OperatorOptions.parse(new String[] {"--kubeconfig=" + kubeconfig}, Map.of());

    Config config = Startup.config(options);

    assertThat(config.getMasterUrl()).startsWith("https://127.0.0.1:6443");
    assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(Startup.REQUEST_RETRIES);
    // 100, 200 and 400 ms: a blip, not a failure the status should wait 18 s to show
    assertThat(config.getRequestRetryBackoffInterval()).isEqualTo(100);
  }
}
