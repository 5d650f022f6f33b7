package io.mizzen.plugins.ca.bouncycastle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM in and out for certificates and keys; every failure names the source it came from. */
final class Pem {
  private static final Base64.Encoder LINES = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private Pem() {}

  static String encode(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + LINES.encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  static String certificate(X509Certificate cert) {
    try {
      return encode("CERTIFICATE", cert.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
    }
  }

  static String privateKey(PrivateKey key) {
    return encode("PRIVATE KEY", key.getEncoded());
  }

  /**
   * Reads every certificate in {@code pem}.
   *
   * @param source where the text came from, for the error message
   * @throws IllegalArgumentException naming {@code source} when there is none or one is broken
   */
  static List<X509Certificate> certificates(String pem, String source) {
    List<X509Certificate> certs = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Object item;
      while ((item = parser.readObject()) != null) {
        if (!(item instanceof org.bouncycastle.cert.X509CertificateHolder holder)) {
          throw new IllegalArgumentException(
              source + ": expected only CERTIFICATE blocks, found " + item.getClass().getSimpleName());
        }
        certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(source + ": not a readable PEM certificate: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(source + ": no PEM CERTIFICATE block found");
    }
    return certs;
  }

  /**
   * Reads one private key (PKCS#8, or the traditional RSA/EC forms openssl writes).
   *
   * @throws IllegalArgumentException naming {@code source}; the message never quotes the key
   */
  static PrivateKey privateKey(String pem, String source) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object item = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (item instanceof PEMKeyPair pair) {
        KeyPair keys = converter.getKeyPair(pair);
        return keys.getPrivate();
      }
      if (item instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException(
          source + ": expected an unencrypted PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block"
              + (item == null ? ", found none" : ", found " + item.getClass().getSimpleName()));
    } catch (IOException e) {
      // The parser's message may quote input; keep only the kind of failure.
      throw new IllegalArgumentException(source + ": not a readable PEM private key (" + e.getClass().getSimpleName() + ")");
    }
  }
}
