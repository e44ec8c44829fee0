package io.dnsupdate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CustomResourceSerializationTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  private static Condition ready() {
    return new ConditionBuilder()
        .withType(ApiConstants.CONDITION_READY)
        .withStatus("True")
        .withReason("KeyReady")
        .withMessage("key Secret acme-tsig is up to date")
        .withLastTransitionTime("2025-01-01T00:00:00Z")
        .withObservedGeneration(3L)
        .build();
  }

  static TsigKey tsigKey() {
    TsigKey key = new TsigKey();
    key.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("certs").build());
    TsigKeySpec spec = new TsigKeySpec();
    spec.setKeyName("acme.example.com.");
    spec.setAlgorithm(TsigKeyAlgorithm.HMAC_SHA512);
    spec.setAllowLegacyAlgorithm(false);
    spec.setRotation(new TsigKeySpec.Rotation("720h", "24h"));
    key.setSpec(spec);
    TsigKeyStatus status = new TsigKeyStatus();
    status.setKeyName("acme.example.com.");
    status.setAlgorithm("hmac-sha512");
    status.setSecretName("acme-tsig");
    status.setFingerprint("sha256:0123456789abcdef");
    status.setGeneratedAt("2025-01-01T00:00:00Z");
    status.setRotatesAt("2025-01-31T00:00:00Z");
    status.setConditions(List.of(ready()));
    status.setObservedGeneration(3L);
    key.setStatus(status);
    return key;
  }

  static DnsUpdateIssuer issuer() {
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(
        new ObjectMetaBuilder().withName("example-com").withNamespace("certs").build());
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("ns1.example.com:853", "192.0.2.53"));
    spec.setZone("example.com.");
    spec.setTransport(DnsTransport.TLS);
    spec.setTls(new DnsUpdateIssuerSpec.Tls(null, "ns1.example.com"));
    spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("acme"));
    spec.setDomains(List.of("example.com", "example.org"));
    spec.setTtl(120);
    spec.setTimeout("5s");
    DnsUpdateIssuerSpec.Propagation p = new DnsUpdateIssuerSpec.Propagation();
    p.setVerify(true);
    p.setNameservers(List.of("192.0.2.1"));
    p.setPort(53);
    p.setTimeout("30s");
    p.setPollInterval("2s");
    spec.setPropagation(p);
    issuer.setSpec(spec);
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setZone("example.com.");
    status.setPrimary("ns1.example.com:853");
    status.setKeyName("acme.example.com.");
    status.setLastProbeTime("2025-01-01T00:00:00Z");
    status.setConditions(List.of(ready()));
    status.setObservedGeneration(1L);
    issuer.setStatus(status);
    return issuer;
  }

  @Nested
  class TsigKeys {
    @Test
    void yamlRoundTrip() {
      TsigKey key = tsigKey();

      String yaml = serialization.asYaml(key);
      TsigKey back = serialization.unmarshal(yaml, TsigKey.class);

      assertThat(yaml)
          .contains("apiVersion: \"dnsupdate.io/v1alpha1\"")
          .contains("kind: \"TsigKey\"")
          .contains("algorithm: \"hmac-sha512\"")
          .contains("period: \"720h\"");
      assertThat(back.getSpec()).isEqualTo(key.getSpec());
      assertThat(back.getStatus()).isEqualTo(key.getStatus());
      assertThat(back.getMetadata()).isEqualTo(key.getMetadata());
    }

    @Test
    void jsonRoundTripWithAPlainObjectMapper() throws Exception {
      ObjectMapper mapper = new ObjectMapper();
      TsigKey key = tsigKey();

      TsigKey back = mapper.readValue(mapper.writeValueAsString(key), TsigKey.class);

      assertThat(back.getSpec()).isEqualTo(key.getSpec());
      assertThat(back.getStatus()).isEqualTo(key.getStatus());
    }

    @Test
    void readsWhatAUserWritesAndLeavesUnsetFieldsOut() {
      TsigKey key =
          serialization.unmarshal(
              """
              apiVersion: dnsupdate.io/v1alpha1
              kind: TsigKey
              metadata:
                name: legacy
                namespace: dns
              spec:
                algorithm: hmac-md5
                allowLegacyAlgorithm: true
                importFrom:
                  secretName: from-dns-team
              """,
              TsigKey.class);

      assertThat(key.getSpec().getAlgorithm()).isEqualTo(TsigKeyAlgorithm.HMAC_MD5);
      assertThat(key.getSpec().getImportFrom().getSecretName()).isEqualTo("from-dns-team");
      assertThat(key.getSpec().getImportFrom().getSecretKey()).isNull();
      assertThat(key.getStatus()).isNull();
      assertThat(serialization.asJson(key.getSpec()))
          .isEqualTo(
              "{\"algorithm\":\"hmac-md5\",\"allowLegacyAlgorithm\":true,"
                  + "\"importFrom\":{\"secretName\":\"from-dns-team\"}}");
    }

    @Test
    void defaultsDerivedFromNameAndNamespace() {
      TsigKey key =
          serialization.unmarshal(
              "{\"apiVersion\":\"dnsupdate.io/v1alpha1\",\"kind\":\"TsigKey\","
                  + "\"metadata\":{\"name\":\"acme\",\"namespace\":\"certs\"}}",
              TsigKey.class);

      assertThat(key.effectiveKeyName()).isEqualTo("acme.certs.dnsupdate.io.");
      assertThat(key.effectiveAlgorithm()).isEqualTo(TsigKeyAlgorithm.HMAC_SHA256);
      assertThat(key.legacyAlgorithmAllowed()).isFalse();
      assertThat(key.effectiveSecretName()).isEqualTo("acme-tsig");
      assertThat(key.effectiveNameserverConfigSecretName()).isEqualTo("acme-nameserver-config");

      TsigKey named = tsigKey();
      named.getSpec().setKeyName("acme.example.com");
      named.getSpec().setSecretName("mine");
      assertThat(named.effectiveKeyName()).isEqualTo("acme.example.com.");
      assertThat(named.effectiveSecretName()).isEqualTo("mine");
    }

    @Test
    void algorithmsMapToTheEngine() {
      for (TsigKeyAlgorithm a : TsigKeyAlgorithm.values()) {
        assertThat(TsigKeyAlgorithm.of(a.engine())).isEqualTo(a);
        assertThat(serialization.asJson(a)).isEqualTo("\"" + a.bindName() + "\"");
      }
      assertThat(TsigKeyAlgorithm.HMAC_SHA1.legacy()).isTrue();
      assertThat(TsigKeyAlgorithm.HMAC_SHA256.legacy()).isFalse();
    }
  }

  @Nested
  class Issuers {
    @Test
    void yamlRoundTrip() {
      DnsUpdateIssuer issuer = issuer();

      String yaml = serialization.asYaml(issuer);
      DnsUpdateIssuer back = serialization.unmarshal(yaml, DnsUpdateIssuer.class);

      assertThat(yaml)
          .contains("kind: \"DnsUpdateIssuer\"")
          .contains("transport: \"tls\"")
          .contains("name: \"acme\"");
      assertThat(back.getSpec()).isEqualTo(issuer.getSpec());
      assertThat(back.getStatus()).isEqualTo(issuer.getStatus());
    }

    @Test
    void equalityIsByValueDownToNestedFields() {
      DnsUpdateIssuerSpec spec = issuer().getSpec();
      DnsUpdateIssuerSpec same = issuer().getSpec();
      assertThat(same).isEqualTo(spec).hasSameHashCodeAs(spec);

      same.getPropagation().setPollInterval("3s");
      assertThat(same).isNotEqualTo(spec);
      same = issuer().getSpec();
      same.getTsigKeyRef().setName("other");
      assertThat(same).isNotEqualTo(spec);
      DnsUpdateIssuerStatus status = issuer().getStatus();
      status.setObservedGeneration(2L);
      assertThat(status).isNotEqualTo(issuer().getStatus());
    }

    @Test
    void nullListsBecomeEmpty() {
      DnsUpdateIssuer issuer = issuer();
      issuer.getSpec().setNameservers(null);
      issuer.getSpec().setDomains(null);
      issuer.getStatus().setConditions(null);
      assertThat(issuer.getSpec().getNameservers()).isEmpty();
      assertThat(issuer.getSpec().getDomains()).isEmpty();
      assertThat(issuer.getStatus().getConditions()).isEmpty();
    }

    @Test
    void caBundleStaysOutOfToString() {
      DnsUpdateIssuerSpec.Tls tls =
          new DnsUpdateIssuerSpec.Tls("-----BEGIN CERTIFICATE-----\nMIIB\n", "ns1");
      assertThat(tls.toString()).doesNotContain("MIIB");
    }
  }
}
