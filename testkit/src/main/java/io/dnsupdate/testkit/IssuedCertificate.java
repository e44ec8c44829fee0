package io.dnsupdate.testkit;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A leaf certificate with its private key and the CA certificate that signed it. */
public record IssuedCertificate(
    X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {

  /** Alias of the key entry in {@link #toKeyStore(char[])}. */
  public static final String KEY_ALIAS = "key";

  /** PEM of the leaf certificate alone. */
  public String certificatePem() {
    return Pem.certificates(certificate);
  }

  /** PKCS#8 PEM of the private key. */
  public String privateKeyPem() {
    return Pem.privateKey(privateKey);
  }

  /** PEM of the leaf followed by its issuer, as TLS servers send it. */
  public String chainPem() {
    return Pem.certificates(certificate, issuer);
  }

  /** Writes {@link #certificatePem()} to the file and returns it. */
  public Path writeCertPem(Path file) {
    return Pem.write(file, certificatePem());
  }

  /** Writes {@link #privateKeyPem()} to the file and returns it. */
  public Path writeKeyPem(Path file) {
    return Pem.write(file, privateKeyPem());
  }

  /** Writes {@link #chainPem()} to the file and returns it. */
  public Path writeChainPem(Path file) {
    return Pem.write(file, chainPem());
  }

  /** A PKCS#12 key store holding the key and chain under {@link #KEY_ALIAS}. */
  public KeyStore toKeyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(KEY_ALIAS, privateKey, password, new Certificate[] {certificate, issuer});
      return ks;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Key managers presenting this certificate, for a TLS server or a TLS client. */
  public KeyManagerFactory keyManagerFactory() {
    try {
      char[] pw = "changeit".toCharArray();
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(toKeyStore(pw), pw);
      return kmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A TLS context that presents this certificate and trusts only {@code trusted}: a server's
   * context when this is a server certificate, a client-certificate (mTLS) context otherwise.
   */
  public SSLContext sslContext(TestPki trusted) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted.trustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagerFactory().getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
