package io.dnsupdate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyAlgorithm;
import io.dnsupdate.api.TsigKeySpec;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.FuzzChecks;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;

/**
 * Fuzzes importing a key from a user's Secret ({@link KeySettings#importKey}): BIND's base64 string
 * or a whole {@code key} clause, under {@code data} or {@code stringData}. The answer is a key with
 * the TsigKey's name and algorithm, or an {@link InvalidKeySecretException} (an {@link
 * InvalidSpecException} for a bad spec) whose message is printable and quotes no secret.
 */
class KeySettingsImportFuzzTest {
  @FuzzTest
  void importKey(FuzzedDataProvider data) {
    TsigKeyAlgorithm algorithm = data.pickValue(TsigKeyAlgorithm.values());
    String dataKey = data.consumeBoolean() ? "secret" : data.consumeString(30);
    TsigKey key = new TsigKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("web").build());
    TsigKeySpec spec = new TsigKeySpec();
    spec.setAlgorithm(algorithm);
    spec.setAllowLegacyAlgorithm(true);
    if (data.consumeBoolean()) {
      spec.setKeyName(data.consumeString(80));
    }
    TsigKeySpec.ImportFrom from = new TsigKeySpec.ImportFrom();
    from.setSecretName("my-key");
    from.setSecretKey(dataKey);
    spec.setImportFrom(from);
    key.setSpec(spec);
    KeySettings settings;
    try {
      settings = KeySettings.parse(key);
    } catch (InvalidSpecException e) {
      FuzzChecks.requireCleanMessage(e);
      return;
    }

    String secret =
        data.consumeString(100) + KeySecretCodecFuzzTest.CANARY + data.consumeString(60);
    String value =
        data.consumeBoolean()
            ? secret
            : "key \""
                + data.consumeString(40)
                + "\" {\n\talgorithm "
                + (data.consumeBoolean() ? algorithm.engine().bindName() : data.consumeString(20))
                + ";\n\tsecret \""
                + secret
                + "\";\n};"
                + data.consumeString(40);
    List<String> secrets = new ArrayList<>(List.of(KeySecretCodecFuzzTest.CANARY));
    Map<String, String> base64Data = new HashMap<>();
    Map<String, String> stringData = new HashMap<>();
    if (data.consumeBoolean()) {
      stringData.put(settings.importFrom().orElseThrow().secretKey(), value);
    } else {
      String encoded = KeySecretCodecFuzzTest.base64(value);
      secrets.add(encoded);
      base64Data.put(settings.importFrom().orElseThrow().secretKey(), encoded);
    }
    int others = data.consumeInt(0, 3);
    for (int i = 0; i < others; i++) {
      (data.consumeBoolean() ? stringData : base64Data)
          .put(data.consumeString(20), data.consumeString(60));
    }
    Secret source =
        new SecretBuilder()
            .withNewMetadata()
            .withName("my-key")
            .endMetadata()
            .withData(base64Data)
            .withStringData(stringData)
            .build();

    TsigCredentials imported;
    try {
      imported = settings.importKey(source);
    } catch (InvalidKeySecretException e) {
      FuzzChecks.requireCleanMessage(e, secrets.toArray(String[]::new));
      return;
    }
    assertEquals(Name.fromConstantString(settings.keyName()), imported.keyName());
    assertEquals(settings.algorithm(), imported.algorithm());
  }
}
