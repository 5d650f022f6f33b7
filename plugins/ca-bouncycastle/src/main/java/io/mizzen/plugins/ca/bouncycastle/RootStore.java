package io.mizzen.plugins.ca.bouncycastle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed root kept in the plugin's state folder: made once on first start, read back on
 * every later one. Both files are created owner-only (rw-------) from the start and renamed into
 * place, so a crash never leaves a half-written key and the key is never readable by others, even
 * for a moment. A root near its end is replaced, the old one trusted until it expires. Blocking:
 * run it through {@code executeBlocking}.
 */
final class RootStore {
  static final String CERT_FILE = "root-cert.pem";
  static final String KEY_FILE = "root-key.pem";
  static final String PREVIOUS_CERT_FILE = "previous-root-cert.pem";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final Clock clock;
  private final SecureRandom random;

  RootStore(Path dir, Clock clock, SecureRandom random) {
    this.dir = dir;
    this.clock = clock;
    this.random = random;
  }

  /** A loaded or newly made root, whether it was made now, and the root it replaced, if any. */
  record Outcome(IssuerMaterial material, boolean generated, X509Certificate replaced) {}

  /**
   * Reads the root from the state folder, or generates and persists one when neither file exists.
   * A root with less than {@code rotateBefore} left is replaced by a new one; the old root's
   * certificate is kept as {@value #PREVIOUS_CERT_FILE} and handed to workloads beside the new
   * root until it expires, so certificates it signed stay trusted through the overlap.
   *
   * @throws IllegalStateException naming the file when only one of the pair exists, a file is
   *     unreadable, readable by others, or the key does not match the certificate
   */
  Outcome loadOrGenerate(String trustDomain, Duration ttl, Duration rotateBefore) throws IOException {
    Path certFile = dir.resolve(CERT_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    Path previousFile = dir.resolve(PREVIOUS_CERT_FILE);
    boolean haveCert = Files.exists(certFile);
    boolean haveKey = Files.exists(keyFile);
    Instant now = clock.instant();
    if (haveCert && haveKey) {
      IssuerMaterial current = load(certFile, keyFile);
      if (!current.cert().getNotAfter().toInstant().minus(rotateBefore).isAfter(now)) {
        // The old certificate first: once the new root is written, the old one must already be kept.
        writeOwnerOnly(previousFile, Pem.certificate(current.cert()));
        IssuerMaterial next = generate(trustDomain, ttl, certFile, keyFile);
        return new Outcome(withRoots(next, List.of(next.cert(), current.cert())), true, current.cert());
      }
      X509Certificate previous = previousRoot(previousFile, now);
      return new Outcome(previous == null ? current : withRoots(current, List.of(current.cert(), previous)), false, null);
    }
    if (haveCert || haveKey) {
      Path missing = haveCert ? keyFile : certFile;
      throw new IllegalStateException("root CA in " + dir + " is incomplete: " + missing
          + " is missing; restore it, or remove both " + CERT_FILE + " and " + KEY_FILE + " to generate a new root");
    }
    return new Outcome(generate(trustDomain, ttl, certFile, keyFile), true, null);
  }

  /** The replaced root while it is still valid; once expired its file is removed. */
  private X509Certificate previousRoot(Path file, Instant now) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    X509Certificate previous = Pem.certificates(Files.readString(file, StandardCharsets.US_ASCII), file.toString()).get(0);
    if (previous.getNotAfter().toInstant().isAfter(now)) {
      return previous;
    }
    Files.delete(file);
    return null;
  }

  private static IssuerMaterial withRoots(IssuerMaterial material, List<X509Certificate> roots) {
    return new IssuerMaterial(material.cert(), material.key(), material.intermediates(), roots);
  }

  private IssuerMaterial load(Path certFile, Path keyFile) throws IOException {
    if (Files.getFileStore(keyFile).supportsFileAttributeView("posix")) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
      if (!OWNER_ONLY.containsAll(perms)) {
        throw new IllegalStateException(keyFile + " is accessible to others ("
            + PosixFilePermissions.toString(perms) + "); a CA key must be rw------- (chmod 600)");
      }
    }
    X509Certificate cert = Pem.certificates(Files.readString(certFile, StandardCharsets.US_ASCII), certFile.toString()).get(0);
    PrivateKey key = Pem.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), keyFile.toString());
    if (!IssuerMaterial.matches(key, cert)) {
      throw new IllegalStateException(keyFile + " does not match " + certFile + ": the key is not the certificate's");
    }
    return new IssuerMaterial(cert, key, List.of(), List.of(cert));
  }

  private IssuerMaterial generate(String trustDomain, Duration ttl, Path certFile, Path keyFile) throws IOException {
    X509Certificate cert;
    KeyPair keys;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      keys = generator.generateKeyPair();
      cert = selfSigned(keys, new X500Name("O=" + trustDomain), ttl);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate the root CA: " + e.getMessage(), e);
    }
    createPrivateDir();
    // Key first: a cert without its key is the state loadOrGenerate refuses, never a usable root.
    writeOwnerOnly(keyFile, Pem.privateKey(keys.getPrivate()));
    writeOwnerOnly(certFile, Pem.certificate(cert));
    return new IssuerMaterial(cert, keys.getPrivate(), List.of(), List.of(cert));
  }

  private X509Certificate selfSigned(KeyPair keys, X500Name name, Duration ttl)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    Instant now = clock.instant();
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            name, new BigInteger(128, random).setBit(0), Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(ttl)), name, keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    var signer = new JcaContentSignerBuilder(IssuerMaterial.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private void createPrivateDir() throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Writes a temp file that is owner-only from its creation, then renames it into place. */
  static void writeOwnerOnly(Path target, String content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
    FileAttribute<?>[] attrs = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attrs);
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        throw new IllegalStateException(target + " appeared while the root was being generated", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
