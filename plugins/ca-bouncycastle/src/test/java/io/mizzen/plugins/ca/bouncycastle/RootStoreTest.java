package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class RootStoreTest {
  @TempDir Path state;

  @Test
  void generatedRootIsOwnerOnlyAndTheSameAfterRestart(Vertx vertx) throws Exception {
    BouncyCastleAuthority first = new BouncyCastleAuthority();
    Await.result(first.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    Path key = state.resolve(RootStore.KEY_FILE);
    Path cert = state.resolve(RootStore.CERT_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)));
    String keyPem = Files.readString(key);
    assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    try (var files = Files.list(state)) {
      assertEquals(2, files.count(), "no temp files left behind");
    }

    X509Certificate root = Pem.certificates(first.rootsPem().get(0), "root").get(0);
    Duration lifetime = Duration.between(Instant.now(), root.getNotAfter().toInstant());
    assertTrue(lifetime.toDays() >= 3649 && lifetime.toDays() <= 3650, "10 years by default, was " + lifetime.toDays() + " days");
    assertTrue(root.getBasicConstraints() >= 0, "a CA");
    assertEquals("O=cluster.local", root.getSubjectX500Principal().getName());

    BouncyCastleAuthority restarted = new BouncyCastleAuthority();
    Await.result(restarted.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertEquals(first.rootsPem(), restarted.rootsPem());
    assertEquals(keyPem, Files.readString(key), "the key is not regenerated");
  }

  @Test
  void aRootNearItsEndIsReplacedAndTheOldOneTrustedUntilItExpires(Vertx vertx) throws Exception {
    BouncyCastleAuthority today = new BouncyCastleAuthority();
    Await.result(today.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    X509Certificate oldRoot = Pem.certificates(today.rootsPem().get(0), "root").get(0);

    // Nine and a half years on, half a year is left: less than the default year, so it rotates.
    java.time.Clock later = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(3650 - 182));
    BouncyCastleAuthority rotated = new BouncyCastleAuthority(later);
    Await.result(rotated.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertEquals(2, rotated.rootsPem().size());
    X509Certificate newRoot = Pem.certificates(rotated.rootsPem().get(0), "root").get(0);
    assertEquals(oldRoot, Pem.certificates(rotated.rootsPem().get(1), "root").get(0), "the old root stays trusted");
    assertTrue(!newRoot.equals(oldRoot));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(RootStore.PREVIOUS_CERT_FILE))));
    var issued = Await.result(rotated.sign(new io.mizzen.spi.ca.SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A),
        io.mizzen.spi.ca.SpiffeId.parse(Csrs.SPIFFE_A), null)));
    X509Certificate leaf = Pem.certificates(issued.certificatePem(), "leaf").get(0);
    leaf.verify(newRoot.getPublicKey());
    assertEquals(2, issued.rootsPem().size(), "workloads get both roots through the overlap");

    BouncyCastleAuthority restarted = new BouncyCastleAuthority(later);
    Await.result(restarted.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertEquals(rotated.rootsPem(), restarted.rootsPem(), "no second rotation");

    java.time.Clock afterOldExpiry = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(3650 + 30));
    BouncyCastleAuthority laterStill = new BouncyCastleAuthority(afterOldExpiry);
    Await.result(laterStill.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertEquals(List.of(Pem.certificate(newRoot)), laterStill.rootsPem(), "the expired old root is dropped");
    assertFalse(Files.exists(state.resolve(RootStore.PREVIOUS_CERT_FILE)));
  }

  @Test
  void aRootWithoutItsKeyIsRefusedNamingTheMissingFile(Vertx vertx) throws Exception {
    Await.result(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
    Files.delete(state.resolve(RootStore.KEY_FILE));
    Throwable failure = Await.failure(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertTrue(failure.getMessage().contains(RootStore.KEY_FILE) && failure.getMessage().contains("missing"), failure.getMessage());
    assertFalse(Files.exists(state.resolve(RootStore.KEY_FILE)), "a half root is never silently replaced");
  }

  @Test
  void aKeyReadableByOthersIsRefused(Vertx vertx) throws Exception {
    Await.result(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
    Files.setPosixFilePermissions(state.resolve(RootStore.KEY_FILE), PosixFilePermissions.fromString("rw-r--r--"));
    Throwable failure = Await.failure(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
    assertTrue(failure.getMessage().contains("rw-r--r--") && failure.getMessage().contains(RootStore.KEY_FILE), failure.getMessage());
  }

  @Test
  void theRootKeyIsNeverInTheLogOrErrors(Vertx vertx) throws Exception {
    var log = new java.io.ByteArrayOutputStream();
    var err = System.err;
    // slf4j-simple writes to System.err, looked up on every call by default.
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Await.result(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
      Await.result(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state, Map.of())));
    } finally {
      System.setErr(err);
    }
    String keyPem = Files.readString(state.resolve(RootStore.KEY_FILE));
    String body = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    String logged = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(logged.contains("self-signed root"), "the root was logged: " + logged);
    assertFalse(logged.replaceAll("\\s", "").contains(body.substring(0, 40)));
  }
}
