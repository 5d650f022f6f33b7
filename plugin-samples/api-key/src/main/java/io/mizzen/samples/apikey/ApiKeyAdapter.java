package io.mizzen.samples.apikey;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Checks API keys. The handler lists the SHA-256 hashes of the keys it admits (so the config
 * never holds a key itself); the {@code listentry} instance's {@code value} is the key the
 * request carries. Unknown or missing keys are refused with UNAUTHENTICATED (HTTP 401).
 *
 * <p>Params: {@code keySha256} (list of lower-case hex SHA-256 digests, required),
 * {@code validDuration} (how long the proxy may cache an answer, default 30s),
 * {@code validUseCount} (default 1000).
 */
@Extension
public class ApiKeyAdapter implements MixerAdapter {
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /** Validated params. */
  record Params(Set<String> hashes, Duration validDuration, int validUseCount) {
    static Params read(AdapterParams p) {
      p.only("keySha256", "validDuration", "validUseCount");
      List<String> hashes = p.strings("keySha256");
      if (hashes.isEmpty()) {
        p.error("keySha256", "needs at least one SHA-256 digest (hex) of an admitted key");
      }
      for (int i = 0; i < hashes.size(); i++) {
        if (!SHA256_HEX.matcher(hashes.get(i)).matches()) {
          p.error("keySha256[" + i + "]", "must be 64 lower-case hex digits (sha256sum of the key)");
        }
      }
      return new Params(Set.copyOf(hashes), p.duration("validDuration", Duration.ofSeconds(30)),
          (int) p.integer("validUseCount", 1000, 1, Integer.MAX_VALUE));
    }
  }

  @Override
  public String name() {
    return "apikey";
  }

  @Override
  public Set<String> templates() {
    return Set.of("listentry");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(params);
    Params.read(p);
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    Params p = Params.read(AdapterParams.of(params));
    return Future.succeededFuture(new Handler() {
      @Override
      public Future<CheckResult> check(Instance instance) {
        Object key = instance.fields().get("value");
        if (key == null || key.toString().isEmpty()) {
          return Future.succeededFuture(CheckResult.denied(CheckResult.UNAUTHENTICATED, "no API key",
              p.validDuration(), p.validUseCount()));
        }
        if (!p.hashes().contains(sha256(key.toString()))) {
          return Future.succeededFuture(CheckResult.denied(CheckResult.UNAUTHENTICATED, "unknown API key",
              p.validDuration(), p.validUseCount()));
        }
        return Future.succeededFuture(CheckResult.ok(p.validDuration(), p.validUseCount()));
      }
    });
  }

  /** The lower-case hex SHA-256 of {@code key}'s UTF-8 bytes, as {@code sha256sum} prints it. */
  static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
