package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void aTokenProvesItsBindingAndOnlyItsHashIsStored() throws Exception {
    TokenStore store = TokenStore.inFolder(dir.resolve("citadel"), clock);
    TokenStore.CreatedToken created = store.create("default", "reviews", Duration.ofHours(1));
    assertTrue(created.token().startsWith("mzt." + created.info().id() + "."));
    assertFalse(created.toString().contains(created.token()), "toString hides the token");

    TokenStore.TokenInfo info = store.verify(created.token());
    assertEquals("default", info.namespace());
    assertEquals("reviews", info.serviceAccount());

    Path file = dir.resolve("citadel").resolve(TokenStore.FILE_NAME);
    String stored = Files.readString(file);
    String secret = created.token().substring(created.token().lastIndexOf('.') + 1);
    assertFalse(stored.contains(secret), "the secret is never written");
    assertTrue(stored.contains("\"salt\"") && stored.contains("\"hash\""));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("citadel"))));
  }

  @Test
  void wrongSecretsUnknownIdsAndRevokedTokensAreAllUnknown() {
    TokenStore store = TokenStore.inFolder(dir, clock);
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    String id = token.split("\\.")[1];
    char last = token.charAt(token.length() - 1);
    String wrongSecret = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertEquals(CsrRefusal.UNKNOWN_TOKEN, assertThrows(CsrRefusedException.class, () -> store.verify(wrongSecret)).reason());
    String unknownId = "mzt.000000000000." + token.substring(token.lastIndexOf('.') + 1);
    assertEquals(CsrRefusal.UNKNOWN_TOKEN, assertThrows(CsrRefusedException.class, () -> store.verify(unknownId)).reason());
    assertEquals(CsrRefusal.MALFORMED_REQUEST, assertThrows(CsrRefusedException.class, () -> store.verify("Bearer abc")).reason());
    assertTrue(store.revoke(id));
    assertFalse(store.revoke(id));
    assertEquals(CsrRefusal.UNKNOWN_TOKEN, assertThrows(CsrRefusedException.class, () -> store.verify(token)).reason());
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() {
    TokenStore store = TokenStore.inFolder(dir, clock);
    String token = store.create("default", "reviews", Duration.ofMinutes(10)).token();
    clock.advance(Duration.ofMinutes(10));
    CsrRefusedException e = assertThrows(CsrRefusedException.class, () -> store.verify(token));
    assertEquals(CsrRefusal.EXPIRED_TOKEN, e.reason());
    assertTrue(e.getMessage().contains("default/reviews"), e.getMessage());
  }

  @Test
  void aTokenMadeByAnotherProcessIsSeenAtOnce() {
    TokenStore server = TokenStore.inFolder(dir, clock);
    assertTrue(server.list().isEmpty());
    TokenStore cli = TokenStore.inFolder(dir, clock);
    String first = cli.create("default", "reviews", Duration.ofHours(1)).token();
    assertEquals("reviews", server.verify(first).serviceAccount());
    String second = cli.create("shop", "cart", Duration.ofHours(1)).token();
    assertEquals("cart", server.verify(second).serviceAccount());
    assertEquals(2, server.list().size());
  }

  @Test
  void badBindingsAreRefusedAtCreation() {
    TokenStore store = TokenStore.inFolder(dir, clock);
    assertThrows(IllegalArgumentException.class, () -> store.create("default", "Reviews/../admin", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> store.create("", "reviews", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> store.create("default", "reviews", Duration.ZERO));
  }

  @Test
  void longExpiredTokensArePrunedOnTheNextCreate() {
    TokenStore store = TokenStore.inFolder(dir, clock);
    store.create("default", "old", Duration.ofMinutes(1));
    clock.advance(TokenStore.EXPIRED_RETENTION.plusHours(1));
    store.create("default", "new", Duration.ofMinutes(1));
    assertEquals(1, store.list().size());
    assertEquals("new", store.list().get(0).serviceAccount());
  }
}
