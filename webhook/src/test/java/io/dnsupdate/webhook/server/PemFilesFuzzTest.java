package io.dnsupdate.webhook.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.testkit.FuzzChecks;

/**
 * Fuzzes the serving certificate and key files, read as one PEM file (as a Secret mounted with
 * {@code tls.crt} and {@code tls.key} concatenated would be): every failure is an
 * IllegalArgumentException with a printable message; a pair that reads is a matching one.
 */
class PemFilesFuzzTest {
  @FuzzTest
  void certificatesAndKey(byte[] pem) {
    try {
      assertFalse(PemFiles.certificates(pem).isEmpty());
    } catch (IllegalArgumentException e) {
      expected(e);
    }
    try {
      PemFiles.privateKey(pem);
    } catch (IllegalArgumentException e) {
      expected(e);
    }
    try {
      ServingMaterial material = ServingMaterial.fromPem(pem, pem);
      FuzzChecks.requireCleanMessage(new Exception(material.toString()));
    } catch (IllegalArgumentException e) {
      expected(e);
    }
  }

  private static void expected(IllegalArgumentException e) {
    assertEquals(IllegalArgumentException.class, e.getClass());
    FuzzChecks.requireCleanMessage(e);
  }
}
