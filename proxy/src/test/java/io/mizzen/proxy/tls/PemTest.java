package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Private keys in each PEM form a user may hold: PKCS#8, PKCS#1 RSA and SEC1 EC (written by
 * BouncyCastle's PEM writer, as OpenSSL's traditional form) read back to the same key; encrypted
 * and malformed ones are refused, saying what is wrong.
 */
class PemTest {
  private static PrivateKey read(String pem) {
    return Pem.privateKey(pem, (what, cause) -> new IllegalArgumentException("key.pem " + what, cause));
  }

  private static String pkcs8(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  @Test
  void rsaKeysInPkcs1AndPkcs8ReadBackToTheSameKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    PrivateKey key = g.generateKeyPair().getPrivate();
    String pkcs1 = io.mizzen.proxy.GatewayPkiAccess.traditional(key);
    assertTrue(pkcs1.contains("-----BEGIN RSA PRIVATE KEY-----"), pkcs1);
    assertArrayEquals(key.getEncoded(), read(pkcs1).getEncoded());
    assertArrayEquals(key.getEncoded(), read(pkcs8(key)).getEncoded());
  }

  @Test
  void ecKeysInSec1AndPkcs8ReadBackToTheSameKey() throws Exception {
    for (String curve : new String[] {"secp256r1", "secp384r1"}) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      ECPrivateKey key = (ECPrivateKey) g.generateKeyPair().getPrivate();
      String sec1 = io.mizzen.proxy.GatewayPkiAccess.traditional(key);
      assertTrue(sec1.contains("-----BEGIN EC PRIVATE KEY-----"), sec1);
      ECPrivateKey back = (ECPrivateKey) read(sec1);
      assertEquals(key.getS(), back.getS(), curve);
      assertEquals(key.getParams().getCurve(), back.getParams().getCurve(), curve);
      assertEquals(key.getS(), ((ECPrivateKey) read(pkcs8(key))).getS(), curve);
    }
  }

  @Test
  void encryptedMissingAndMalformedKeysAreRefusedSayingWhy() {
    String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(encrypted)).getMessage()
        .contains("key.pem is an encrypted key"));
    String legacyEncrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(legacyEncrypted)).getMessage()
        .contains("is an encrypted key"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"))
        .getMessage().contains("holds no private key"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----")).getMessage()
        .contains("is not a readable EC PRIVATE KEY"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("-----BEGIN RSA PRIVATE KEY-----\n!!!\n-----END RSA PRIVATE KEY-----")).getMessage()
        .contains("is not base64"));
  }
}
