package io.mizzen.kernel.citadel;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Bootstrap tokens: each bound to one service account of one namespace, with an expiry. Only a
 * salted hash of each token's secret is kept, in {@value #FILE_NAME} in the store's folder
 * (owner-only, replaced atomically). The token text itself exists once, in what {@link #create}
 * returns. Every method is blocking (file I/O): call it from the CLI or through
 * {@code executeBlocking}, never on an event loop. Safe for concurrent use, also by the CLI and
 * a running control plane on the same folder.
 */
public interface TokenStore {
  /** The file, in the store's folder, that holds the hashed tokens. */
  String FILE_NAME = "bootstrap-tokens.json";

  /** Expired tokens are kept this long so that their use is reported as expired, not unknown. */
  Duration EXPIRED_RETENTION = Duration.ofDays(7);

  /** A store kept in {@code folder} (created owner-only when missing). */
  static TokenStore inFolder(Path folder, Clock clock) {
    return new TokenFile(folder, clock);
  }

  /**
   * What is known about a token, without its secret.
   *
   * @param id the public part of the token, for logs and revocation
   */
  record TokenInfo(String id, String namespace, String serviceAccount, Instant createdAt, Instant expiresAt) {}

  /**
   * A newly made token: {@code token} is the only copy of the secret. {@link #toString()} hides it.
   */
  record CreatedToken(String token, TokenInfo info) {
    @Override
    public String toString() {
      return "CreatedToken[" + info + ", token=<hidden>]";
    }
  }

  /**
   * Makes a token for {@code serviceAccount} in {@code namespace}, valid for {@code ttl}.
   *
   * @throws IllegalArgumentException naming a bad namespace, service account or ttl
   * @throws java.io.UncheckedIOException when the folder cannot be written
   */
  CreatedToken create(String namespace, String serviceAccount, Duration ttl);

  /**
   * Checks a presented token.
   *
   * @return the token's binding
   * @throws CsrRefusedException with {@link CsrRefusal#MALFORMED_REQUEST},
   *     {@link CsrRefusal#UNKNOWN_TOKEN} (also for a wrong secret: the two are not told apart)
   *     or {@link CsrRefusal#EXPIRED_TOKEN}
   */
  TokenInfo verify(String token);

  /** Every token kept, expired ones included, oldest first. */
  List<TokenInfo> list();

  /** Removes a token by id; {@code false} if there was none. */
  boolean revoke(String id);
}
