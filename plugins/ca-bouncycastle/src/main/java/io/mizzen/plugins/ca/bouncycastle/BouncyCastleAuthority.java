package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SigningRequest;
import io.vertx.core.Future;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Citadel's default CA: a generated root kept in the plugin's state folder, or a root or
 * intermediate from Istio's {@code cacerts} files; ECDSA P-256 (and RSA 2048+) workload keys;
 * SPIFFE certificates of 24 h by default. All key work runs through
 * {@link MeshContext#executeBlocking}. Settings: see {@link CaSettings}.
 */
@Extension
public class BouncyCastleAuthority implements CertificateAuthority {
  static final String NAME = "bouncycastle";
  private static final Logger LOG = LoggerFactory.getLogger(BouncyCastleAuthority.class);

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  // An instance, never registered with java.security.Security: no process-wide state changes.
  private final Provider crypto = new BouncyCastleProvider();
  private volatile MeshContext context;
  private volatile CaSettings settings;
  private volatile CsrInspection inspection;
  private volatile LeafIssuer issuer;

  /** For PF4J. */
  public BouncyCastleAuthority() {
    this(Clock.systemUTC());
  }

  /** With a clock of the caller's choosing, so tests can age certificates and roots. */
  BouncyCastleAuthority(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    CaSettings parsed;
    try {
      parsed = CaSettings.from(context.settings(NAME));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    this.context = context;
    this.settings = parsed;
    this.inspection = new CsrInspection(parsed.maxCsrBytes(), parsed.allowRsa(), crypto);
    return context.executeBlocking(() -> {
          if (parsed.cacertsDir().isPresent()) {
            IssuerMaterial material = CacertsFolder.load(parsed.cacertsDir().get(), clock);
            LOG.info("signing with the plugged-in CA from {}: {}", parsed.cacertsDir().get(), describe(material.cert()));
            return material;
          }
          RootStore.Outcome outcome = new RootStore(context.stateDir(), clock, random)
              .loadOrGenerate(context.trustDomain(), parsed.rootTtl(), parsed.rootRotateBefore());
          LOG.info("{} self-signed root in {}: {}", outcome.generated() ? "generated a new" : "loaded the",
              context.stateDir(), describe(outcome.material().cert()));
          if (outcome.replaced() != null) {
            LOG.warn("root rotation: replaced {} (less than {} left); it stays trusted until it expires",
                describe(outcome.replaced()), parsed.rootRotateBefore());
          }
          return outcome.material();
        })
        .map(material -> {
          this.issuer = new LeafIssuer(material, clock, random, crypto);
          return null;
        });
  }

  @Override
  public Future<IssuedCertificate> sign(SigningRequest request) {
    LeafIssuer leafIssuer = this.issuer;
    if (leafIssuer == null) {
      return Future.failedFuture(new IllegalStateException("the " + NAME + " CA is not started"));
    }
    Duration ttl = request.ttl() == null ? settings.workloadTtl() : request.ttl();
    if (ttl.isNegative() || ttl.isZero()) {
      return Future.failedFuture(new SigningRefusedException(SigningRefusedException.Reason.BAD_TTL,
          "requested lifetime " + ttl + " is not positive"));
    }
    Duration granted = ttl.compareTo(settings.maxWorkloadTtl()) > 0 ? settings.maxWorkloadTtl() : ttl;
    CsrInspection checks = this.inspection;
    return context.executeBlocking(() ->
        leafIssuer.issue(checks.inspect(request.csrPem(), request.identity()), request.identity(), granted));
  }

  @Override
  public Future<IssuedCertificate> signControlPlane(SigningRequest request, List<String> hosts) {
    LeafIssuer leafIssuer = this.issuer;
    if (leafIssuer == null) {
      return Future.failedFuture(new IllegalStateException("the " + NAME + " CA is not started"));
    }
    List<GeneralName> names;
    try {
      names = ServingHosts.toNames(hosts);
    } catch (SigningRefusedException e) {
      return Future.failedFuture(e);
    }
    Duration ttl = request.ttl() == null ? settings.workloadTtl() : request.ttl();
    Duration granted = ttl.compareTo(settings.maxWorkloadTtl()) > 0 ? settings.maxWorkloadTtl() : ttl;
    CsrInspection checks = this.inspection;
    return context.executeBlocking(() ->
        leafIssuer.issue(checks.inspect(request.csrPem(), request.identity()), request.identity(), granted, names));
  }

  @Override
  public List<String> rootsPem() {
    LeafIssuer leafIssuer = this.issuer;
    return leafIssuer == null ? List.of() : leafIssuer.rootsPem();
  }

  /** Subject, serial, expiry and fingerprint: what an operator needs, nothing secret. */
  private static String describe(X509Certificate cert) throws CertificateEncodingException, NoSuchAlgorithmException {
    String fingerprint = HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    return cert.getSubjectX500Principal() + ", serial " + cert.getSerialNumber().toString(16) + ", expires "
        + cert.getNotAfter().toInstant() + ", SHA-256 " + fingerprint;
  }
}
