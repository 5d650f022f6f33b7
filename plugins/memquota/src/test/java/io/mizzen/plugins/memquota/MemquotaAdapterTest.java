package io.mizzen.plugins.memquota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.QuotaArgs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The clock is faked (it lies outside the system): time moves by assignment, never by sleeping. */
class MemquotaAdapterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final MemquotaAdapter adapter = new MemquotaAdapter(now::get);

  private static Map<String, Object> params(String algorithm) {
    List<Object> overrides = List.of(
        Map.of("dimensions", Map.of("destination", "reviews"), "maxAmount", 1, "validDuration", "5s"),
        Map.of("dimensions", Map.of("destination", "productpage", "source", "10.28.11.20"), "maxAmount", 500),
        Map.of("dimensions", Map.of("destination", "productpage"), "maxAmount", 2, "validDuration", "5s"));
    Map<String, Object> quota = Map.of("name", "requestcountquota.instance.istio-system", "maxAmount", 500,
        "validDuration", "1s", "rateLimitAlgorithm", algorithm, "overrides", overrides);
    return Map.of("quotas", List.of(quota));
  }

  private static Instance quota(String destination, String source) {
    return new Instance("requestcountquota.instance.istio-system", "quota",
        Map.of("dimensions", Map.of("destination", destination, "source", source)));
  }

  private long take(MixerAdapter.Handler h, Instance i, long amount, String dedup) {
    return h.quota(i, new QuotaArgs(amount, dedup, false)).result().granted();
  }

  @Test
  void productpageOverrideAllowsTwoPerFiveSecondsFixedWindow() {
    assertEquals(List.of(), adapter.validate(params("FIXED_WINDOW")));
    MixerAdapter.Handler h = adapter.build(params("FIXED_WINDOW"), null).result();
    Instance pp = quota("productpage", "unknown");
    assertEquals(1, take(h, pp, 1, "a"));
    assertEquals(1, take(h, pp, 1, "b"));
    assertEquals(0, take(h, pp, 1, "c"), "spent");
    assertEquals(1, take(h, quota("productpage", "10.28.11.20"), 1, "d"), "the more specific override comes first");
    assertEquals(1, take(h, quota("details", "x"), 1, "e"), "the default limit of 500");
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertEquals(1, take(h, pp, 1, "f"), "a new window");
    assertEquals(Duration.ofSeconds(5), h.quota(pp, new QuotaArgs(1, "g", false)).result().validDuration());
  }

  @Test
  void rollingWindowFreesUsageBucketByBucket() {
    MixerAdapter.Handler h = adapter.build(params("ROLLING_WINDOW"), null).result();
    Instance pp = quota("productpage", "u");
    assertEquals(1, take(h, pp, 1, null));
    now.addAndGet(Duration.ofMillis(2600).toNanos());
    assertEquals(1, take(h, pp, 1, null));
    assertEquals(0, take(h, pp, 1, null));
    now.addAndGet(Duration.ofMillis(2500).toNanos());
    assertEquals(1, take(h, pp, 1, null), "the first allocation slid out of the 5s window");
    assertEquals(0, take(h, pp, 1, null), "the second is still inside it");
  }

  @Test
  void deduplicationIdsAreNotCountedTwice() {
    MixerAdapter.Handler h = adapter.build(params("FIXED_WINDOW"), null).result();
    Instance pp = quota("productpage", "u");
    assertEquals(1, take(h, pp, 1, "retry-me"));
    assertEquals(1, take(h, pp, 1, "retry-me"));
    assertEquals(1, take(h, pp, 1, "retry-me"));
    assertEquals(1, take(h, pp, 1, "other"), "the retries took nothing");
    assertEquals(0, take(h, pp, 1, "third"));
  }

  @Test
  void bestEffortGrantsWhatIsLeft() {
    MixerAdapter.Handler h = adapter.build(params("FIXED_WINDOW"), null).result();
    Instance pp = quota("productpage", "u");
    assertEquals(0, h.quota(pp, new QuotaArgs(3, null, false)).result().granted(), "all or nothing");
    assertEquals(2, h.quota(pp, new QuotaArgs(3, null, true)).result().granted());
  }

  @Test
  void unknownQuotaFailsAndBadParamsAreReported() {
    MixerAdapter.Handler h = adapter.build(params("FIXED_WINDOW"), null).result();
    var f = h.quota(new Instance("other.instance.x", "quota", Map.of()), new QuotaArgs(1, null, false));
    assertTrue(f.failed() && f.cause().getMessage().contains("no quota named other.instance.x"));
    List<ConfigError> errors = adapter.validate(Map.of("quotas", List.of(Map.of("maxAmount", -1, "validDuration", "1x",
        "overrides", List.of(Map.of("maxAmount", 1))))));
    List<String> fields = errors.stream().map(ConfigError::field).toList();
    assertTrue(fields.containsAll(List.of("quotas[0].name", "quotas[0].maxAmount", "quotas[0].validDuration",
        "quotas[0].overrides[0].dimensions")), errors.toString());
    assertTrue(adapter.validate(Map.of()).stream().anyMatch(e -> e.field().equals("quotas")));
  }
}
