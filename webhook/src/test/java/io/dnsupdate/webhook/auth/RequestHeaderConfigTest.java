package io.dnsupdate.webhook.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.testkit.TestPki;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading kube-apiserver's extension-apiserver-authentication ConfigMap. */
class RequestHeaderConfigTest {
  private static final TestPki CA = TestPki.newCa("front-proxy-ca");

  private static Map<String, String> kubeadmData() {
    Map<String, String> d = new HashMap<>();
    d.put("client-ca-file", TestPki.newCa("kubernetes").certificatePem());
    d.put("requestheader-allowed-names", "[\"front-proxy-client\"]");
    d.put("requestheader-client-ca-file", CA.certificatePem());
    d.put("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");
    d.put("requestheader-group-headers", "[\"X-Remote-Group\"]");
    d.put("requestheader-username-headers", "[\"X-Remote-User\"]");
    return d;
  }

  @Test
  void readsWhatKubeadmClustersPublish() {
    RequestHeaderConfig c = RequestHeaderConfig.fromConfigMapData(kubeadmData());

    assertThat(c.caCertificates()).containsExactly(CA.certificate());
    assertThat(c.allowedNames()).containsExactly("front-proxy-client");
    assertThat(c.usernameHeaders()).containsExactly("X-Remote-User");
    assertThat(c.groupHeaders()).containsExactly("X-Remote-Group");
    assertThat(c.extraHeaderPrefixes()).containsExactly("X-Remote-Extra-");
    assertThat(c.uidHeaders()).isEmpty();
  }

  @Test
  void emptyAllowedNamesMeansAnyCertificateOfTheCa() {
    Map<String, String> d = kubeadmData();
    d.put("requestheader-allowed-names", "[]");

    assertThat(RequestHeaderConfig.fromConfigMapData(d).allowedNames()).isEmpty();
  }

  @Test
  void withoutTheCaNobodyIsAuthenticated() {
    Map<String, String> d = kubeadmData();
    d.remove("requestheader-client-ca-file");

    assertThatThrownBy(() -> RequestHeaderConfig.fromConfigMapData(d))
        .hasMessageContaining("requestheader-client-ca-file")
        .hasMessageContaining("--requestheader-client-ca-file");
  }

  @Test
  void listsMustBeJsonArrays() {
    Map<String, String> d = kubeadmData();
    d.put("requestheader-username-headers", "X-Remote-User");

    assertThatThrownBy(() -> RequestHeaderConfig.fromConfigMapData(d))
        .hasMessageContaining("requestheader-username-headers")
        .hasMessageContaining("JSON array");
  }

  @Test
  void noUsernameHeaderIsUnusable() {
    Map<String, String> d = kubeadmData();
    d.put("requestheader-username-headers", "[]");

    assertThatThrownBy(() -> RequestHeaderConfig.fromConfigMapData(d))
        .hasMessageContaining("no header would carry the user name");
  }
}
