package io.mizzen.kernel.citadel.grpc;

import static io.mizzen.kernel.citadel.grpc.CitadelFunctionTest.await;
import static io.mizzen.kernel.citadel.grpc.CitadelFunctionTest.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.agent.identity.AgentIdentityFunction;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control plane and a sidecar agent, each as the kernel starts them, talking over 127.0.0.1. */
class SidecarIdentityTest {
  @TempDir Path dir;
  Vertx vertx;
  CitadelFunction citadel;
  CertificateAuthority ca;

  @BeforeEach
  void startControlPlane() throws Exception {
    vertx = Vertx.vertx();
    CitadelFunctionTest.ControlPlane controlPlane = new CitadelFunctionTest.ControlPlane(vertx, dir.resolve("cp"),
        Map.of("citadel", Map.of("host", "127.0.0.1", "port", 0)), List.of(new BouncyCastleAuthority()), new ConcurrentHashMap<>());
    citadel = new CitadelFunction();
    await(citadel.start(controlPlane));
    ca = controlPlane.lookup(CertificateAuthority.class);
  }

  @AfterEach
  void stop() throws Exception {
    await(citadel.stop());
    await(vertx.close());
  }

  private CitadelFunctionTest.ControlPlane sidecar(Map<String, Object> agentSettings) {
    return new CitadelFunctionTest.ControlPlane(vertx, dir.resolve("sidecar"), Map.of("citadel-agent", agentSettings), List.of(),
        new ConcurrentHashMap<>());
  }

  private Map<String, Object> settings(String serviceAccount) throws Exception {
    String token = TokenStore.inFolder(dir.resolve("cp"), Clock.systemUTC()).create("default", serviceAccount, Duration.ofHours(1)).token();
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    Path roots = Files.writeString(dir.resolve("root-cert.pem"), String.join("", ca.rootsPem()));
    Map<String, Object> settings = new HashMap<>();
    settings.put("controlPlane", "127.0.0.1:" + citadel.port());
    settings.put("namespace", "default");
    settings.put("serviceAccount", serviceAccount);
    settings.put("tokenFile", tokenFile.toString());
    settings.put("rootCertFile", roots.toString());
    return settings;
  }

  @Test
  void theAgentPublishesItsCertificateAndRenewsIt() throws Exception {
    Map<String, Object> settings = settings("reviews");
    settings.put("ttl", "2s");
    CitadelFunctionTest.ControlPlane context = sidecar(settings);
    AgentIdentityFunction agent = new AgentIdentityFunction();
    await(agent.start(context));
    assertTrue(agent.ready());

    WorkloadCertificates certificates = context.lookup(WorkloadCertificates.class);
    WorkloadCredentials first = certificates.current();
    assertEquals("spiffe://cluster.local/ns/default/sa/reviews", first.identity().uri());
    assertKeyMatches(first);
    assertFalse(first.toString().contains(first.privateKeyPem()));

    CompletableFuture<WorkloadCredentials> renewed = new CompletableFuture<>();
    certificates.onRenewal(renewed::complete);
    WorkloadCredentials second = renewed.get(15, TimeUnit.SECONDS);
    assertNotEquals(first.serial(), second.serial());
    assertNotEquals(first.privateKeyPem(), second.privateKeyPem(), "a fresh key for each certificate");
    assertSame(second, certificates.current());
    assertKeyMatches(second);
    await(agent.stop());
  }

  @Test
  void badAgentSettingsAndFilesAreNamed() throws Exception {
    String missing = failure(new AgentIdentityFunction().start(sidecar(Map.of("namespace", "default")))).getMessage();
    assertTrue(missing.contains("serviceAccount") && missing.contains("tokenFile") && missing.contains("rootCertFile"), missing);

    Map<String, Object> settings = settings("reviews");
    settings.put("tokenFile", dir.resolve("no-such-token").toString());
    String noToken = failure(new AgentIdentityFunction().start(sidecar(settings))).getMessage();
    assertTrue(noToken.contains("no-such-token") && noToken.contains("tokenFile"), noToken);
  }

  @Test
  void aTokenForAnotherAccountGetsNoCertificate() throws Exception {
    Map<String, Object> settings = settings("ratings");
    settings.put("serviceAccount", "reviews");
    String refused = failure(new AgentIdentityFunction().start(sidecar(settings))).getMessage();
    assertTrue(refused.contains("IDENTITY_MISMATCH"), refused);
  }

  private static void assertKeyMatches(WorkloadCredentials credentials) throws Exception {
    X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(credentials.certificateChainPem().getBytes(StandardCharsets.US_ASCII)));
    assertEquals(credentials.identity().uri(), leaf.getSubjectAlternativeNames().iterator().next().get(1));
    byte[] der = Base64.getMimeDecoder().decode(credentials.privateKeyPem().replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(signature), "the published key is the certificate's");
  }
}
