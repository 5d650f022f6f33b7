package io.mizzen.plugins.ca.bouncycastle;

import static io.mizzen.spi.ca.SigningRefusedException.Reason.BAD_SIGNATURE;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.BAD_TTL;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.CSR_TOO_LARGE;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.IDENTITY_MISMATCH;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.KEY_NOT_ALLOWED;
import static io.mizzen.spi.ca.SigningRefusedException.Reason.MALFORMED_CSR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a CSR can be wrong, each refused with its reason; none yields a certificate. */
class CsrRefusalTest {
  private static final SpiffeId ME = SpiffeId.parse(Csrs.SPIFFE_A);
  private static Vertx vertx;
  private static Path state;
  private static BouncyCastleAuthority ca;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    state = Files.createTempDirectory("ca-refusal");
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of())));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  record Bad(String csr, Duration ttl) {
    static Bad of(String csr) {
      return new Bad(csr, null);
    }
  }

  static Stream<Arguments> badRequests() {
    KeyPair ec = Csrs.ec();
    String good = Csrs.forSpiffe(ec, Csrs.SPIFFE_A);
    String body = good.replaceAll("-----[A-Z ]+-----", "").strip();
    GeneralName me = new GeneralName(GeneralName.uniformResourceIdentifier, Csrs.SPIFFE_A);
    return Stream.of(
        bad("empty", MALFORMED_CSR, () -> Bad.of("")),
        bad("not PEM at all", MALFORMED_CSR, () -> Bad.of("hello, CA")),
        bad("a certificate instead of a CSR", MALFORMED_CSR, () -> Bad.of(ca.rootsPem().get(0))),
        bad("base64 garbage", MALFORMED_CSR, () -> Bad.of("-----BEGIN CERTIFICATE REQUEST-----\n!!!notbase64$$\n-----END CERTIFICATE REQUEST-----\n")),
        bad("valid base64, not DER", MALFORMED_CSR, () -> Bad.of(Pem.encode("CERTIFICATE REQUEST", "not a der structure".getBytes()))),
        bad("truncated DER", MALFORMED_CSR, () -> {
          byte[] der = Csrs.der(good);
          return Bad.of(Pem.encode("CERTIFICATE REQUEST", java.util.Arrays.copyOf(der, der.length - 10)));
        }),
        bad("trailing bytes after the DER", MALFORMED_CSR, () -> {
          byte[] der = Csrs.der(good);
          byte[] longer = java.util.Arrays.copyOf(der, der.length + 4);
          return Bad.of(Pem.encode("CERTIFICATE REQUEST", longer));
        }),
        bad("two PEM blocks", MALFORMED_CSR, () -> Bad.of(good + Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_B))),
        bad("missing END line", MALFORMED_CSR, () -> Bad.of("-----BEGIN CERTIFICATE REQUEST-----\n" + body + "\n")),
        bad("oversized (padding past 16 KiB)", CSR_TOO_LARGE, () -> Bad.of(good + " ".repeat(17 * 1024))),
        bad("oversized (huge subject)", CSR_TOO_LARGE, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "O=" + "x".repeat(20_000), List.of(), List.of()))),
        bad("RSA 1024", KEY_NOT_ALLOWED, () -> Bad.of(Csrs.forSpiffe(Csrs.generate("RSA", 1024), Csrs.SPIFFE_A))),
        bad("DSA 2048", KEY_NOT_ALLOWED, () -> Bad.of(Csrs.forSpiffe(Csrs.generate("DSA", 2048), Csrs.SPIFFE_A))),
        bad("Ed25519", KEY_NOT_ALLOWED, () -> Bad.of(Csrs.forSpiffe(Csrs.generate("Ed25519", 0), Csrs.SPIFFE_A))),
        bad("EC on an unlisted curve (secp521r1)", KEY_NOT_ALLOWED, () -> Bad.of(Csrs.forSpiffe(Csrs.ec("secp521r1"), Csrs.SPIFFE_A))),
        bad("SHA-1 signature", BAD_SIGNATURE, () -> Bad.of(Csrs.build(Csrs.generate("RSA", 2048), "SHA1withRSA", "", List.of(me), List.of()))),
        bad("signature bit flipped", BAD_SIGNATURE, () -> Bad.of(Csrs.withBrokenSignature(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A)))),
        bad("signed by another key than the one certified", BAD_SIGNATURE, () -> Bad.of(Csrs.withKeyOf(Csrs.ec(), Csrs.ec(), Csrs.SPIFFE_A))),
        bad("another identity's URI", IDENTITY_MISMATCH, () -> Bad.of(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_B))),
        bad("another trust domain", IDENTITY_MISMATCH, () -> Bad.of(Csrs.forSpiffe(Csrs.ec(), "spiffe://evil.example/ns/default/sa/productpage"))),
        bad("own URI plus an extra URI", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "",
            List.of(me, new GeneralName(GeneralName.uniformResourceIdentifier, Csrs.SPIFFE_B)), List.of()))),
        bad("own URI plus a DNS name", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "",
            List.of(me, new GeneralName(GeneralName.dNSName, "istiod.istio-system.svc")), List.of()))),
        bad("a DNS SAN only", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "",
            List.of(new GeneralName(GeneralName.dNSName, "reviews.default.svc.cluster.local")), List.of()))),
        bad("an IP SAN", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "",
            List.of(new GeneralName(GeneralName.iPAddress, "10.0.0.1")), List.of()))),
        bad("an email SAN", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "",
            List.of(new GeneralName(GeneralName.rfc822Name, "admin@cluster.local")), List.of()))),
        bad("URI differing only by a trailing slash", IDENTITY_MISMATCH, () -> Bad.of(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A + "/"))),
        bad("URI differing only by case", IDENTITY_MISMATCH, () -> Bad.of(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A.toUpperCase()))),
        bad("CN naming another identity", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "CN=" + Csrs.SPIFFE_B, List.of(me), List.of()))),
        bad("CN with a host name", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "CN=reviews.default.svc", List.of(), List.of()))),
        bad("subject with an OU", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "OU=admins", List.of(me), List.of()))),
        bad("asks for CA:TRUE", IDENTITY_MISMATCH, () -> Bad.of(Csrs.build(Csrs.ec(), "SHA256withECDSA", "", List.of(me), List.of(Extension.basicConstraints)))),
        bad("zero lifetime", BAD_TTL, () -> new Bad(good, Duration.ZERO)),
        bad("negative lifetime", BAD_TTL, () -> new Bad(good, Duration.ofHours(-1))));
  }

  private static Arguments bad(String name, SigningRefusedException.Reason reason, Supplier<Bad> input) {
    return Arguments.of(name, reason, input);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("badRequests")
  void isRefused(String name, SigningRefusedException.Reason reason, Supplier<Bad> input) {
    Bad bad = input.get();
    Throwable failure = Await.failure(ca.sign(new SigningRequest(bad.csr(), ME, bad.ttl())));
    SigningRefusedException refused = assertInstanceOf(SigningRefusedException.class, failure, () -> name + ": " + failure);
    assertEquals(reason, refused.reason(), () -> name + ": " + refused.getMessage());
  }
}
