package io.dnsupdate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.http.HttpClient;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * One fabric8 HTTP client in e2e's JVMs (tests and demo, which share this module's dependencies):
 * with two of equal priority fabric8 warns and picks one at random, so the operator and webhook
 * would run on a different client each time.
 */
class OneHttpClientTest {
  @Test
  void theTestJvmSeesOnlyTheJdkClient() {
    List<String> factories =
        ServiceLoader.load(HttpClient.Factory.class).stream().map(p -> p.type().getName()).toList();

    assertThat(factories)
        .containsExactly("io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory");
  }
}
