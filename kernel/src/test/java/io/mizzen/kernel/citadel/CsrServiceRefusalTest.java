package io.mizzen.kernel.citadel;

import static io.mizzen.kernel.citadel.CsrRefusal.BAD_SIGNATURE;
import static io.mizzen.kernel.citadel.CsrRefusal.BAD_TTL;
import static io.mizzen.kernel.citadel.CsrRefusal.CSR_TOO_LARGE;
import static io.mizzen.kernel.citadel.CsrRefusal.EXPIRED_TOKEN;
import static io.mizzen.kernel.citadel.CsrRefusal.IDENTITY_MISMATCH;
import static io.mizzen.kernel.citadel.CsrRefusal.KEY_NOT_ALLOWED;
import static io.mizzen.kernel.citadel.CsrRefusal.MALFORMED_CSR;
import static io.mizzen.kernel.citadel.CsrRefusal.MALFORMED_REQUEST;
import static io.mizzen.kernel.citadel.CsrRefusal.REPLAYED_REQUEST;
import static io.mizzen.kernel.citadel.CsrRefusal.STALE_REQUEST;
import static io.mizzen.kernel.citadel.CsrRefusal.UNKNOWN_TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request to the CSR service, credentials and CSRs alike, against the real CA
 * plugin: each is refused with its reason, none yields a certificate.
 */
class CsrServiceRefusalTest {
  private static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";
  private static final AtomicInteger NONCES = new AtomicInteger();
  private static Vertx vertx;
  private static BouncyCastleAuthority ca;

  @TempDir Path dir;
  private Fixture fixture;

  /** A fresh token store, clock and service per case; the CA is shared. */
  record Fixture(MovableClock clock, TokenStore store, CsrService service, String reviewsToken) {
    Future<IssuedCertificate> send(String token, String csr) {
      return send(token, csr, nonce(), clock.instant(), null);
    }

    Future<IssuedCertificate> send(String token, String csr, String nonce, Instant at, Duration ttl) {
      return service.sign(new CsrRequest(token, csr, nonce, at, ttl), "127.0.0.1:40000");
    }
  }

  @BeforeAll
  static void startCa() throws Exception {
    vertx = Vertx.vertx();
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(CaHost.of(vertx, Files.createTempDirectory("citadel-ca"))));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @BeforeEach
  void setUp() {
    MovableClock clock = new MovableClock(Instant.now());
    TokenStore store = TokenStore.inFolder(dir, clock);
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    fixture = new Fixture(clock, store, CsrService.create(vertx, store, ca, "cluster.local", clock), token);
  }

  static String nonce() {
    return "test-nonce-" + String.format("%08d", NONCES.incrementAndGet());
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // Credentials
        bad("no token", UNKNOWN_TOKEN, f -> f.send("", TestCsrs.forUri(REVIEWS))),
        bad("unknown token id", UNKNOWN_TOKEN, f -> f.send("mzt.000000000000." + f.reviewsToken().substring(f.reviewsToken().lastIndexOf('.') + 1), TestCsrs.forUri(REVIEWS))),
        bad("right id, wrong secret", UNKNOWN_TOKEN, f -> f.send(f.reviewsToken().substring(0, f.reviewsToken().length() - 2) + "zz", TestCsrs.forUri(REVIEWS))),
        bad("token of the wrong form", MALFORMED_REQUEST, f -> f.send("Bearer eyJhbGciOi", TestCsrs.forUri(REVIEWS))),
        bad("expired token", EXPIRED_TOKEN, f -> {
          f.clock().advance(Duration.ofHours(2));
          return f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS));
        }),
        bad("revoked token", UNKNOWN_TOKEN, f -> {
          f.store().revoke(f.reviewsToken().split("\\.")[1]);
          return f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS));
        }),
        bad("token for another service account", IDENTITY_MISMATCH, f -> {
          String ratings = f.store().create("default", "ratings", Duration.ofHours(1)).token();
          return f.send(ratings, TestCsrs.forUri(REVIEWS));
        }),
        bad("token for the same account name in another namespace", IDENTITY_MISMATCH, f -> {
          String other = f.store().create("staging", "reviews", Duration.ofHours(1)).token();
          return f.send(other, TestCsrs.forUri(REVIEWS));
        }),
        // Replay
        bad("replayed request", REPLAYED_REQUEST, f -> {
          String csr = TestCsrs.forUri(REVIEWS);
          String nonce = nonce();
          Instant at = f.clock().instant();
          Await.result(f.send(f.reviewsToken(), csr, nonce, at, null));
          return f.send(f.reviewsToken(), csr, nonce, at, null);
        }),
        bad("timestamp 10 minutes old", STALE_REQUEST, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), nonce(), f.clock().instant().minus(Duration.ofMinutes(10)), null)),
        bad("timestamp 10 minutes ahead", STALE_REQUEST, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), nonce(), f.clock().instant().plus(Duration.ofMinutes(10)), null)),
        bad("no nonce", MALFORMED_REQUEST, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), null, f.clock().instant(), null)),
        bad("short nonce", MALFORMED_REQUEST, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), "abc", f.clock().instant(), null)),
        bad("no timestamp", MALFORMED_REQUEST, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), nonce(), null, null)),
        // CSRs
        bad("no CSR", MALFORMED_CSR, f -> f.send(f.reviewsToken(), "")),
        bad("garbage CSR", MALFORMED_CSR, f -> f.send(f.reviewsToken(), "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")),
        bad("a certificate instead of a CSR", MALFORMED_CSR, f -> f.send(f.reviewsToken(), ca.rootsPem().get(0))),
        bad("oversized CSR", CSR_TOO_LARGE, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS) + "\n".repeat(20_000))),
        bad("bad CSR signature", BAD_SIGNATURE, f -> f.send(f.reviewsToken(), TestCsrs.brokenSignature(TestCsrs.forUri(REVIEWS)))),
        bad("RSA 1024 key", KEY_NOT_ALLOWED, f -> f.send(f.reviewsToken(), TestCsrs.csr(TestCsrs.keys("RSA", 1024), "", List.of(TestCsrs.uri(REVIEWS))))),
        bad("DSA key", KEY_NOT_ALLOWED, f -> f.send(f.reviewsToken(), TestCsrs.csr(TestCsrs.keys("DSA", 2048), "", List.of(TestCsrs.uri(REVIEWS))))),
        bad("Ed25519 key", KEY_NOT_ALLOWED, f -> f.send(f.reviewsToken(), TestCsrs.csr(TestCsrs.keys("Ed25519", null), "", List.of(TestCsrs.uri(REVIEWS))))),
        bad("SAN injection: own URI plus another", IDENTITY_MISMATCH, f -> f.send(f.reviewsToken(),
            TestCsrs.csr(TestCsrs.ec(), "", List.of(TestCsrs.uri(REVIEWS), TestCsrs.uri("spiffe://cluster.local/ns/istio-system/sa/istiod"))))),
        bad("SAN injection: own URI plus a DNS name", IDENTITY_MISMATCH, f -> f.send(f.reviewsToken(),
            TestCsrs.csr(TestCsrs.ec(), "", List.of(TestCsrs.uri(REVIEWS), new GeneralName(GeneralName.dNSName, "istiod.istio-system.svc"))))),
        bad("a different trust domain", IDENTITY_MISMATCH, f -> f.send(f.reviewsToken(), TestCsrs.forUri("spiffe://evil.example/ns/default/sa/reviews"))),
        bad("CN naming another identity", IDENTITY_MISMATCH, f -> f.send(f.reviewsToken(),
            TestCsrs.csr(TestCsrs.ec(), "CN=spiffe://cluster.local/ns/default/sa/productpage", List.of(TestCsrs.uri(REVIEWS))))),
        bad("zero lifetime", BAD_TTL, f -> f.send(f.reviewsToken(), TestCsrs.forUri(REVIEWS), nonce(), f.clock().instant(), Duration.ZERO)));
  }

  private static Arguments bad(String name, CsrRefusal reason, Function<Fixture, Future<IssuedCertificate>> attempt) {
    return Arguments.of(name, reason, attempt);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("badRequests")
  void isRefused(String name, CsrRefusal reason, Function<Fixture, Future<IssuedCertificate>> attempt) {
    Throwable failure = Await.failure(attempt.apply(fixture));
    CsrRefusedException refused = assertInstanceOf(CsrRefusedException.class, failure, () -> name + ": " + failure);
    assertEquals(reason, refused.reason(), () -> name + ": " + refused.getMessage());
  }
}
