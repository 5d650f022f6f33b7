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
    Await.result(first.start(new StandaloneMeshContext(vertx, state, Map.of())));
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
    Await.result(restarted.start(new StandaloneMeshContext(vertx, state, Map.of())));
    assertEquals(first.rootsPem(), restarted.rootsPem());
    assertEquals(keyPem, Files.readString(key), "the key is not regenerated");
  }

  @Test
  void aRootWithoutItsKeyIsRefusedNamingTheMissingFile(Vertx vertx) throws Exception {
    Await.result(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
    Files.delete(state.resolve(RootStore.KEY_FILE));
    Throwable failure = Await.failure(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
    assertTrue(failure.getMessage().contains(RootStore.KEY_FILE) && failure.getMessage().contains("missing"), failure.getMessage());
    assertFalse(Files.exists(state.resolve(RootStore.KEY_FILE)), "a half root is never silently replaced");
  }

  @Test
  void aKeyReadableByOthersIsRefused(Vertx vertx) throws Exception {
    Await.result(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
    Files.setPosixFilePermissions(state.resolve(RootStore.KEY_FILE), PosixFilePermissions.fromString("rw-r--r--"));
    Throwable failure = Await.failure(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
    assertTrue(failure.getMessage().contains("rw-r--r--") && failure.getMessage().contains(RootStore.KEY_FILE), failure.getMessage());
  }

  @Test
  void theRootKeyIsNeverInTheLogOrErrors(Vertx vertx) throws Exception {
    var log = new java.io.ByteArrayOutputStream();
    var err = System.err;
    // slf4j-simple writes to System.err, looked up on every call by default.
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Await.result(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
      Await.result(new BouncyCastleAuthority().start(new StandaloneMeshContext(vertx, state, Map.of())));
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
