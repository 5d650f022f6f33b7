package io.mizzen.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.function.BiFunction;

/**
 * Certificates and private keys from PEM. Private keys in the three unencrypted forms tools write: PKCS#8 ({@code BEGIN PRIVATE
 * KEY}, what the agent and OpenSSL 3 write), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what
 * cert-manager and older OpenSSL write) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The last two
 * are wrapped into PKCS#8 (their algorithm identifier added) for the JDK to read. Encrypted keys
 * are refused, saying so: the proxy holds no passphrase.
 */
public final class Pem {
  private static final byte[] RSA_ALGORITHM = {
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private Pem() {}

  /**
   * The first private key of a PEM text. Failures are {@code fail(what, cause)}, {@code what}
   * saying what is wrong ({@code is encrypted ...}, {@code holds no private key ...}).
   */
  public static PrivateKey privateKey(String pem, BiFunction<String, Throwable, RuntimeException> fail) {
    if (pem.contains("ENCRYPTED")) {
      throw fail.apply("is an encrypted key; give it unencrypted (openssl pkey -in key.pem -out plain.pem)", null);
    }
    for (String type : new String[] {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"}) {
      String begin = "-----BEGIN " + type + "-----";
      int from = pem.indexOf(begin);
      int to = pem.indexOf("-----END " + type + "-----");
      if (from < 0 || to < from) {
        continue;
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(pem.substring(from + begin.length(), to).replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw fail.apply("is not base64: " + e.getMessage(), e);
      }
      try {
        return switch (type) {
          case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(
              new PKCS8EncodedKeySpec(pkcs8(RSA_ALGORITHM, der)));
          case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(
              new PKCS8EncodedKeySpec(pkcs8(ecAlgorithm(der), der)));
          default -> pkcs8EcOrRsa(der);
        };
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw fail.apply("is not a readable " + type + ": " + e.getMessage(), e);
      }
    }
    throw fail.apply("holds no private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)", null);
  }

  /**
   * Whether {@code key} is the private half of {@code certificate}'s public key: a test signature
   * made with one verifies with the other (RSA, EC; other kinds are taken as matching). A
   * certificate renewed beside an old key, or a key from another pair, fails every handshake.
   */
  public static boolean matches(PrivateKey key, java.security.cert.X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> null;
    };
    if (algorithm == null || !key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
      return algorithm == null;
    }
    try {
      byte[] probe = "mizzen key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.security.Signature sign = java.security.Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(probe);
      byte[] signature = sign.sign();
      java.security.Signature verify = java.security.Signature.getInstance(algorithm);
      verify.initVerify(certificate.getPublicKey());
      verify.update(probe);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The X.509 certificates of a PEM text, at least one. Failures are {@code fail(what, cause)},
   * {@code what} saying what is wrong ({@code holds no certificate}, {@code is not PEM X.509: ...}).
   */
  public static java.util.List<java.security.cert.X509Certificate> certificates(byte[] pem,
      BiFunction<String, Throwable, RuntimeException> fail) {
    return PemCredentials.x509(pem, fail);
  }

  private static PrivateKey pkcs8EcOrRsa(byte[] der) throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
  }

  /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING { key } }. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  /**
   * The algorithm identifier of a SEC1 key: id-ecPublicKey with the named curve its
   * {@code parameters [0]} holds (SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }).
   */
  private static byte[] ecAlgorithm(byte[] sec1) {
    int[] seq = header(sec1, 0, 0x30);
    int i = seq[0];
    int end = seq[0] + seq[1];
    while (i < end) {
      int tag = sec1[i] & 0xff;
      int[] h = header(sec1, i, tag);
      if (tag == 0xa0) {
        int[] oid = header(sec1, h[0], 0x06);
        byte[] curve = java.util.Arrays.copyOfRange(sec1, h[0], oid[0] + oid[1]);
        ByteArrayOutputStream alg = new ByteArrayOutputStream();
        alg.writeBytes(EC_PUBLIC_KEY_OID);
        alg.writeBytes(curve);
        return tlv(0x30, alg.toByteArray());
      }
      i = h[0] + h[1];
    }
    throw new IllegalArgumentException("the EC key names no curve (no parameters [0])");
  }

  /** {start of content, content length} of the TLV at {@code at}, which must have {@code tag}. */
  private static int[] header(byte[] der, int at, int tag) {
    if (at + 2 > der.length || (der[at] & 0xff) != tag) {
      throw new IllegalArgumentException("malformed DER at byte " + at);
    }
    int len = der[at + 1] & 0xff;
    int start = at + 2;
    if (len > 0x80) {
      int n = len - 0x80;
      if (n > 3 || start + n > der.length) {
        throw new IllegalArgumentException("malformed DER length at byte " + at);
      }
      len = 0;
      for (int k = 0; k < n; k++) {
        len = (len << 8) | (der[start + k] & 0xff);
      }
      start += n;
    } else if (len == 0x80) {
      throw new IllegalArgumentException("indefinite DER length at byte " + at);
    }
    if (start + len > der.length) {
      throw new IllegalArgumentException("DER runs past its end at byte " + at);
    }
    return new int[] {start, len};
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
