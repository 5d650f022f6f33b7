package io.mizzen.samples.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ApiKeyAdapterTest {
  private final ApiKeyAdapter adapter = new ApiKeyAdapter();
  private final Map<String, Object> params = Map.of("keySha256", List.of(ApiKeyAdapter.sha256("s3cret-key")));

  private CheckResult check(Object key) {
    MixerAdapter.Handler h = adapter.build(params, null).result();
    return h.check(new Instance("apikey.instance.default", "listentry", key == null ? Map.of() : Map.of("value", key))).result();
  }

  @Test
  void aKnownKeyIsAdmittedOthersAreUnauthenticated() {
    assertEquals(List.of(), adapter.validate(params));
    assertTrue(check("s3cret-key").isOk());
    assertEquals(CheckResult.UNAUTHENTICATED, check("guess").statusCode());
    assertEquals("unknown API key", check("guess").message());
    assertEquals("no API key", check(null).message());
  }

  @Test
  void theDigestIsWhatSha256sumPrints() {
    // printf %s abc | sha256sum
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyAdapter.sha256("abc"));
  }

  @Test
  void badParamsAreNamedByField() {
    String all = adapter.validate(Map.of("keySha256", List.of("not-hex"), "validUseCount", 0, "colour", 1))
        .stream().map(ConfigError::toString).collect(Collectors.joining("; "));
    assertTrue(all.contains("keySha256[0]"), all);
    assertTrue(all.contains("validUseCount"), all);
    assertTrue(all.contains("colour"), all);
    assertTrue(adapter.validate(Map.of()).stream().anyMatch(e -> e.toString().contains("keySha256")));
  }
}
