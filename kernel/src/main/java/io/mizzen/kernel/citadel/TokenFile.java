package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@link TokenStore} on one JSON file. A token reads {@code mzt.<id>.<secret>}: the id (12 hex
 * digits) finds the entry, the secret (32 random bytes, base64url) is checked against
 * SHA-256(salt ‖ secret) in constant time. A hash of a 256-bit random secret needs no slow KDF:
 * there is nothing to guess. Readers reload when the file changes, so tokens made by the CLI
 * work at once in a running control plane.
 */
final class TokenFile implements TokenStore {
  private static final String PREFIX = "mzt.";
  private static final Pattern TOKEN = Pattern.compile("mzt\\.([0-9a-f]{12})\\.([A-Za-z0-9_-]{43})");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final HexFormat HEX = HexFormat.of();
  private static final String LOCK_FILE = ".bootstrap-tokens.lock";

  private final Path folder;
  private final Path file;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private List<Entry> entries = List.of();
  // Every write renames a new file into place: its inode (file key) changes even when two writes
  // fall in the same modification-time tick.
  private Object loadedVersion;

  /** One stored token: its hash, never its secret. */
  private record Entry(TokenInfo info, byte[] salt, byte[] hash) {}

  TokenFile(Path folder, Clock clock) {
    this.folder = folder;
    this.file = folder.resolve(FILE_NAME);
    this.clock = clock;
  }

  @Override
  public synchronized CreatedToken create(String namespace, String serviceAccount, Duration ttl) {
    // Validates both names exactly as the certificate will carry them.
    SpiffeId.of("cluster.local", namespace, serviceAccount);
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("token lifetime must be positive, was " + ttl);
    }
    byte[] idBytes = new byte[6];
    byte[] secret = new byte[32];
    byte[] salt = new byte[16];
    random.nextBytes(idBytes);
    random.nextBytes(secret);
    random.nextBytes(salt);
    String secretText = B64.encodeToString(secret);
    Instant now = clock.instant();
    TokenInfo info = new TokenInfo(HEX.formatHex(idBytes), namespace, serviceAccount, now, now.plus(ttl));
    Entry entry = new Entry(info, salt, hash(salt, secretText));
    update(list -> {
      list.removeIf(e -> e.info().expiresAt().plus(EXPIRED_RETENTION).isBefore(now));
      list.add(entry);
    });
    return new CreatedToken(PREFIX + info.id() + "." + secretText, info);
  }

  @Override
  public synchronized TokenInfo verify(String token) {
    if (token == null || token.isEmpty()) {
      throw new CsrRefusedException(CsrRefusal.UNKNOWN_TOKEN, "no bootstrap token presented");
    }
    var m = TOKEN.matcher(token);
    if (!m.matches()) {
      throw new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST, "the token is not of the form mzt.<id>.<secret>");
    }
    String id = m.group(1);
    Entry found = null;
    for (Entry e : current()) {
      if (e.info().id().equals(id)) {
        found = e;
      }
    }
    // A wrong secret for a real id is reported exactly like an unknown id.
    if (found == null || !MessageDigest.isEqual(found.hash(), hash(found.salt(), m.group(2)))) {
      throw new CsrRefusedException(CsrRefusal.UNKNOWN_TOKEN, "token " + id + " is not known (never issued, revoked, or a wrong secret)");
    }
    if (!clock.instant().isBefore(found.info().expiresAt())) {
      throw new CsrRefusedException(CsrRefusal.EXPIRED_TOKEN, "token " + id + " for " + found.info().namespace() + "/"
          + found.info().serviceAccount() + " expired at " + found.info().expiresAt());
    }
    return found.info();
  }

  @Override
  public synchronized List<TokenInfo> list() {
    return current().stream().map(Entry::info).toList();
  }

  @Override
  public synchronized boolean revoke(String id) {
    boolean[] removed = {false};
    update(list -> removed[0] = list.removeIf(e -> e.info().id().equals(id)));
    return removed[0];
  }

  /** The token id of {@code token} for logs, or {@code "-"}; never the secret. */
  static String idOf(String token) {
    if (token == null) {
      return "-";
    }
    var m = TOKEN.matcher(token);
    return m.matches() ? m.group(1) : "-";
  }

  private List<Entry> current() {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      Object version = List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime(), attributes.size());
      if (!version.equals(loadedVersion)) {
        entries = read();
        loadedVersion = version;
      }
    } catch (NoSuchFileException e) {
      entries = List.of();
      loadedVersion = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return entries;
  }

  private List<Entry> read() throws IOException {
    JsonObject doc;
    try {
      doc = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw new IllegalStateException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonArray tokens = doc.getJsonArray("tokens", new JsonArray());
    List<Entry> list = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      JsonObject t = tokens.getJsonObject(i);
      try {
        list.add(new Entry(new TokenInfo(t.getString("id"), t.getString("namespace"), t.getString("serviceAccount"),
            Instant.parse(t.getString("createdAt")), Instant.parse(t.getString("expiresAt"))),
            B64D.decode(t.getString("salt")), B64D.decode(t.getString("hash"))));
      } catch (RuntimeException e) {
        throw new IllegalStateException(file + ": tokens[" + i + "] is unreadable: " + e.getMessage(), e);
      }
    }
    return list;
  }

  private interface Change {
    void apply(List<Entry> entries);
  }

  /** Read-modify-write under a file lock, so the CLI and a server never lose each other's change. */
  private void update(Change change) {
    try {
      if (!Files.isDirectory(folder)) {
        Files.createDirectories(folder, ownerOnly("rwx------"));
      }
      try (FileChannel lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockChannel.lock()) {
        loadedVersion = null;
        List<Entry> list = new ArrayList<>(current());
        change.apply(list);
        write(list);
        // The next read re-reads what was just written: cheap, and never stale.
        loadedVersion = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file, e);
    }
  }

  private void write(List<Entry> list) throws IOException {
    JsonArray tokens = new JsonArray();
    for (Entry e : list) {
      tokens.add(new JsonObject()
          .put("id", e.info().id())
          .put("namespace", e.info().namespace())
          .put("serviceAccount", e.info().serviceAccount())
          .put("createdAt", e.info().createdAt().toString())
          .put("expiresAt", e.info().expiresAt().toString())
          .put("salt", B64.encodeToString(e.salt()))
          .put("hash", B64.encodeToString(e.hash())));
    }
    String text = new JsonObject().put("version", 1).put("tokens", tokens).encodePrettily();
    Path tmp = Files.createTempFile(folder, "." + FILE_NAME, ".tmp", ownerOnly("rw-------"));
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private FileAttribute<?>[] ownerOnly(String perms) throws IOException {
    Path probe = Files.isDirectory(folder) ? folder : folder.toAbsolutePath().getParent();
    while (probe != null && !Files.exists(probe)) {
      probe = probe.getParent();
    }
    boolean posix = probe != null && Files.getFileStore(probe).supportsFileAttributeView("posix");
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
        : new FileAttribute<?>[0];
  }

  private static byte[] hash(byte[] salt, String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      return sha.digest(secret.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
