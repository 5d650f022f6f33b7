package io.mizzen.plugins.ca.bouncycastle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * A CA plugged in from files in Istio's {@code cacerts} layout: {@code ca-cert.pem} (the signing
 * certificate, a root or an intermediate), {@code ca-key.pem} (its key), {@code root-cert.pem}
 * (the root workloads trust) and {@code cert-chain.pem} (from {@code ca-cert} up to the root).
 * Everything is checked before the CA signs anything, and each error names the file at fault.
 * Blocking: run it through {@code executeBlocking}.
 */
final class CacertsFolder {
  static final String CA_CERT = "ca-cert.pem";
  static final String CA_KEY = "ca-key.pem";
  static final String ROOT_CERT = "root-cert.pem";
  static final String CERT_CHAIN = "cert-chain.pem";

  private CacertsFolder() {}

  /**
   * Loads and checks the four files.
   *
   * @throws IllegalStateException naming the file that is missing, unreadable, expired, not a CA,
   *     not matching its key, or not chaining to the root
   */
  static IssuerMaterial load(Path dir, Clock clock) throws IOException {
    Path certFile = dir.resolve(CA_CERT);
    Path keyFile = dir.resolve(CA_KEY);
    Path rootFile = dir.resolve(ROOT_CERT);
    Path chainFile = dir.resolve(CERT_CHAIN);
    X509Certificate caCert = certs(certFile).get(0);
    PrivateKey key = key(keyFile);
    List<X509Certificate> roots = certs(rootFile);
    List<X509Certificate> chain = certs(chainFile);

    if (!IssuerMaterial.matches(key, caCert)) {
      throw new IllegalStateException(keyFile + " does not match " + certFile
          + ": the private key is not the one of the CA certificate (mismatched cacerts pair)");
    }
    if (caCert.getBasicConstraints() < 0) {
      throw new IllegalStateException(certFile + " is not a CA certificate (basicConstraints CA:TRUE missing)");
    }
    Date now = Date.from(clock.instant());
    try {
      caCert.checkValidity(now);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new IllegalStateException(certFile + " is not valid now: " + e.getMessage());
    }
    if (!chain.get(0).equals(caCert)) {
      throw new IllegalStateException(chainFile + " must start with the certificate of " + certFile);
    }
    // The chain handed to workloads stops below the root: workloads get roots separately.
    List<X509Certificate> intermediates = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!roots.contains(c)) {
        intermediates.add(c);
      }
    }
    boolean selfSignedCa = roots.contains(caCert);
    if (!selfSignedCa) {
      verifyChain(intermediates, roots, now, chainFile, rootFile);
    }
    return new IssuerMaterial(caCert, key, selfSignedCa ? List.of() : intermediates, roots);
  }

  private static void verifyChain(List<X509Certificate> path, List<X509Certificate> roots, Date now, Path chainFile, Path rootFile) {
    try {
      Set<TrustAnchor> anchors = new java.util.HashSet<>();
      for (X509Certificate root : roots) {
        anchors.add(new TrustAnchor(root, null));
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(now);
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      throw new IllegalStateException(chainFile + " does not chain to " + rootFile + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot check " + chainFile + " against " + rootFile + ": " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certs(Path file) throws IOException {
    return Pem.certificates(read(file), file.toString());
  }

  private static PrivateKey key(Path file) throws IOException {
    return Pem.privateKey(read(file), file.toString());
  }

  private static String read(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("cacerts file " + file + " is missing (the layout needs "
          + CA_CERT + ", " + CA_KEY + ", " + ROOT_CERT + ", " + CERT_CHAIN + ")");
    }
  }
}
