package io.mizzen.kernel.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.citadel.CsrRequest;
import io.mizzen.kernel.citadel.CsrService;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent's key, CSR and renewals against the real CSR service and CA plugin. */
@ExtendWith(VertxExtension.class)
class AgentIdentityTest {
  static final SpiffeId REVIEWS = SpiffeId.of("cluster.local", "default", "reviews");

  @TempDir Path dir;

  @Test
  void theCsrAsksForTheSpiffeIdOnlyAndHoldsNoPrivateKey(Vertx vertx, VertxTestContext test) {
    WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256).onComplete(test.succeeding(pending -> test.verify(() -> {
      String body = pending.csrPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(Base64.getDecoder().decode(body));
      assertEquals(0, csr.getSubject().getRDNs().length, "empty subject, as Istio's agent");
      var ext = csr.getRequestedExtensions().getExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName);
      var names = org.bouncycastle.asn1.x509.GeneralNames.getInstance(ext.getParsedValue()).getNames();
      assertEquals(1, names.length);
      assertEquals(REVIEWS.uri(), names[0].getName().toString());
      String privateBody = Base64.getEncoder().encodeToString(pending.keys().getPrivate().getEncoded());
      assertFalse(pending.csrPem().contains(privateBody.substring(0, 32)));
      assertFalse(pending.toString().contains(privateBody.substring(0, 32)), "toString hides the key");
      CsrRequest request = WorkloadKeys.request("mzt.x", pending, Clock.systemUTC(), null);
      assertTrue(request.nonce().length() >= 16);
      assertFalse(request.toString().contains("mzt.x"));
      test.completeNow();
    })));
  }

  @Test
  void rotationGetsAFreshKeyAndCertificateEachTime(Vertx vertx, VertxTestContext test) throws Exception {
    BouncyCastleAuthority ca = new BouncyCastleAuthority();
    MeshContext host = MeshContext.standalone(vertx, dir.resolve("ca"), Map.of(), List.of());
    TokenStore store = TokenStore.inFolder(dir.resolve("tokens"), Clock.systemUTC());
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    CsrService service = CsrService.create(vertx, store, ca, "cluster.local", Clock.systemUTC());
    Set<String> serials = ConcurrentHashMap.newKeySet();
    Set<String> keys = ConcurrentHashMap.newKeySet();
    // Certificates of 1.5 s: renewed about every 0.75 s, each with a new key.
    java.util.function.Supplier<Future<IssuedCertificate>> renew = () -> WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256)
        .compose(pending -> service.sign(WorkloadKeys.request(token, pending, Clock.systemUTC(), Duration.ofMillis(1500)), "agent"));
    var renewed = test.checkpoint(2);
    ca.start(host).compose(v -> renew.get()).onComplete(test.succeeding(first -> {
      RotationSchedule rotation = RotationSchedule.start(vertx, first, renew, cert -> {
        test.verify(() -> {
          X509Certificate leaf = parse(cert.certificatePem());
          assertEquals(REVIEWS.uri(), leaf.getSubjectAlternativeNames().iterator().next().get(1));
          assertTrue(serials.add(cert.serial()), "a new serial");
          assertTrue(keys.add(Base64.getEncoder().encodeToString(leaf.getPublicKey().getEncoded())), "a new key");
          assertNotEquals(first.serial(), cert.serial());
        });
        renewed.flag();
      }, Clock.systemUTC(), new Random());
      vertx.setTimer(20_000, id -> rotation.stop());
    }));
    assertTrue(test.awaitCompletion(15, TimeUnit.SECONDS));
  }

  static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }
}
