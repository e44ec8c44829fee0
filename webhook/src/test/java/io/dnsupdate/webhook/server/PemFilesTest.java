package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;

/** Serving keys in the PEM forms cert-manager, kubeadm and OpenSSL write. */
class PemFilesTest {
  static byte[] traditional(PrivateKey key) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void pkcs8Ec() {
    IssuedCertificate c =
        TestPki.newCa("ca").issueServer("s", java.util.List.of("s"), java.util.List.of());

    PrivateKey key = PemFiles.privateKey(c.privateKeyPem().getBytes(StandardCharsets.US_ASCII));

    assertThat(key.getAlgorithm()).isEqualTo("EC");
    PemFiles.requireMatchingPair(key, c.certificate());
  }

  /** SEC1 with the named curve inside, as OpenSSL and Go's MarshalECPrivateKey write it. */
  static String sec1(PrivateKey key, ASN1ObjectIdentifier curve, int bits) throws Exception {
    byte[] der =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
                bits, ((ECPrivateKey) key).getS(), new X962Parameters(curve))
            .getEncoded();
    return "-----BEGIN EC PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END EC PRIVATE KEY-----\n";
  }

  @Test
  void sec1Ec() throws Exception {
    IssuedCertificate c =
        TestPki.newCa("ca").issueServer("s", java.util.List.of("s"), java.util.List.of());
    byte[] pem =
        sec1(c.privateKey(), SECObjectIdentifiers.secp256r1, 256)
            .getBytes(StandardCharsets.US_ASCII);

    PrivateKey key = PemFiles.privateKey(pem);

    assertThat(key.getAlgorithm()).isEqualTo("EC");
    PemFiles.requireMatchingPair(key, c.certificate());
  }

  @Test
  void pkcs1Rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    byte[] pem = traditional(kp.getPrivate());
    assertThat(new String(pem, StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");

    PrivateKey key = PemFiles.privateKey(pem);

    assertThat(key.getAlgorithm()).isEqualTo("RSA");
    assertThat(key.getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
  }

  @Test
  void ecParametersBlockBeforeTheKeyIsSkipped() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair kp = g.generateKeyPair();
    String pem =
        "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n"
            + sec1(kp.getPrivate(), SECObjectIdentifiers.secp384r1, 384);

    assertThat(PemFiles.privateKey(pem.getBytes(StandardCharsets.US_ASCII)).getAlgorithm())
        .isEqualTo("EC");
  }

  @Test
  void encryptedKeysAreRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(
          new JcaPKCS8Generator(
              g.generateKeyPair().getPrivate(),
              new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                  .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                  .setPassword("pw".toCharArray())
                  .build()));
    }

    assertThatThrownBy(
            () -> PemFiles.privateKey(out.toString().getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("encrypted");
  }

  @Test
  void mismatchedPairIsRefused() {
    TestPki ca = TestPki.newCa("ca");
    IssuedCertificate a = ca.issueServer("a", java.util.List.of("a"), java.util.List.of());
    IssuedCertificate b = ca.issueServer("b", java.util.List.of("b"), java.util.List.of());

    assertThatThrownBy(() -> PemFiles.requireMatchingPair(a.privateKey(), b.certificate()))
        .hasMessageContaining("does not belong to the certificate CN=b");
  }

  @Test
  void noKey() {
    assertThatThrownBy(() -> PemFiles.privateKey("hello".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageContaining("no PEM private key");
    assertThatThrownBy(() -> PemFiles.certificates(new byte[0]))
        .hasMessageContaining("no PEM certificate");
  }
}
