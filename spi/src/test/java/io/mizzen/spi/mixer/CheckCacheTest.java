package io.mizzen.spi.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Correctness of the check cache; its speed is measured by the JMH benchmark, not here. */
class CheckCacheTest {
  private final AtomicLong now = new AtomicLong(0);
  private final CheckCache cache = CheckCache.create(100, now::get);
  private static final AttributeVocabulary V;

  static {
    Map<String, ValueType> m = new LinkedHashMap<>();
    m.put("request.headers", ValueType.STRING_MAP);
    m.put("destination.service.host", ValueType.STRING);
    m.put("request.path", ValueType.STRING);
    m.put("source.user", ValueType.STRING);
    V = AttributeVocabulary.of(m);
  }

  private static final ReferencedAttributes REFS = new ReferencedAttributes(
      Set.of("destination.service.host", "source.user"), Map.of("request.headers", Set.of("x-user")));

  private static AttributeBag bag(String host, String user, String path) {
    AttributeBag.Builder b = AttributeBag.builder(V).put("destination.service.host", host).put("request.path", path)
        .put("request.headers", Map.of("x-user", user, "x-trace", path));
    return b.build();
  }

  private static CheckResponse verdict(int code, Duration valid, int uses) {
    return new CheckResponse(new CheckResult(code, "m", valid, uses), REFS, List.of(), List.of(), Map.of());
  }

  @Test
  void hitsWhenReferencedValuesAgreeWhateverTheRest() {
    CheckResponse denied = verdict(7, Duration.ofSeconds(10), 100);
    cache.store(bag("ratings", "john", "/a"), denied);
    assertSame(denied, cache.lookup(bag("ratings", "john", "/other-path")), "path and x-trace were not referenced");
    assertNull(cache.lookup(bag("ratings", "jane", "/a")), "x-user was referenced");
    assertNull(cache.lookup(bag("reviews", "john", "/a")), "the host was referenced");
    AttributeBag withUser = AttributeBag.builder(V).put("destination.service.host", "ratings")
        .put("request.headers", Map.of("x-user", "john")).put("source.user", "sa").build();
    assertNull(cache.lookup(withUser), "source.user was absent when stored: presence matters");
  }

  @Test
  void honoursValidUseCount() {
    cache.store(bag("ratings", "john", "/a"), verdict(0, Duration.ofMinutes(1), 3));
    assertNotNull(cache.lookup(bag("ratings", "john", "/a")));
    assertNotNull(cache.lookup(bag("ratings", "john", "/b")));
    assertNotNull(cache.lookup(bag("ratings", "john", "/c")));
    assertNull(cache.lookup(bag("ratings", "john", "/d")), "used three times");
    assertEquals(0, cache.size());
  }

  @Test
  void honoursValidDuration() {
    cache.store(bag("ratings", "john", "/a"), verdict(0, Duration.ofSeconds(2), 1000));
    now.addAndGet(Duration.ofMillis(1999).toNanos());
    assertNotNull(cache.lookup(bag("ratings", "john", "/a")));
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertNull(cache.lookup(bag("ratings", "john", "/a")), "expired at exactly validDuration");
  }

  @Test
  void neverCachesUncacheableOrQuotaVerdicts() {
    cache.store(bag("a", "u", "/"), verdict(14, Duration.ZERO, 0));
    CheckResponse withQuota = new CheckResponse(CheckResult.ok(Duration.ofMinutes(1), 100), REFS, List.of(), List.of(),
        Map.of("q", new QuotaResult(1, Duration.ofSeconds(1))));
    cache.store(bag("b", "u", "/"), withQuota);
    assertEquals(0, cache.size());
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondItsSize() {
    CheckCache small = CheckCache.create(2, now::get);
    small.store(bag("a", "u", "/"), verdict(0, Duration.ofMinutes(1), 100));
    small.store(bag("b", "u", "/"), verdict(0, Duration.ofMinutes(1), 100));
    assertNotNull(small.lookup(bag("a", "u", "/")));
    small.store(bag("c", "u", "/"), verdict(0, Duration.ofMinutes(1), 100));
    assertNull(small.lookup(bag("b", "u", "/")));
    assertNotNull(small.lookup(bag("a", "u", "/")));
    assertEquals(2, small.size());
  }

  @Test
  void frontedMixerAsksRemoteOnlyOnMisses() {
    AtomicInteger remoteChecks = new AtomicInteger();
    Mixer remote = new Mixer() {
      public AttributeVocabulary vocabulary() { return V; }
      public Future<CheckResponse> check(CheckRequest r) {
        remoteChecks.incrementAndGet();
        return Future.succeededFuture(verdict(0, Duration.ofMinutes(1), 100));
      }
      public Future<Void> report(List<AttributeBag> batch) { return Future.succeededFuture(); }
    };
    Mixer mixer = cache.front(remote);
    for (int i = 0; i < 50; i++) {
      assertEquals(0, mixer.check(CheckRequest.of(bag("ratings", i % 2 == 0 ? "a" : "b", "/" + i))).result().precondition().statusCode());
    }
    assertEquals(2, remoteChecks.get(), "one miss per distinct x-user");
    mixer.check(new CheckRequest(bag("ratings", "a", "/"), Map.of("q", new QuotaArgs(1, "d", false))));
    assertEquals(3, remoteChecks.get(), "quota requests always go remote");
  }

  @Test
  void noVerdictOutlivesTheMaxValidityWhateverMixerAllowed() {
    CheckCache capped = CheckCache.create(100, Duration.ofSeconds(2), now::get);
    capped.store(bag("ratings", "john", "/a"), verdict(0, Duration.ofMinutes(1), 1000));
    now.addAndGet(Duration.ofMillis(1999).toNanos());
    assertNotNull(capped.lookup(bag("ratings", "john", "/a")));
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertNull(capped.lookup(bag("ratings", "john", "/a")), "capped at 2 s though Mixer allowed a minute");
  }

  @Test
  void frontedMixerDropsItsVerdictsWhenMixerAnswersUnderAnotherGeneration() {
    AtomicLong generation = new AtomicLong(1);
    AtomicInteger remoteChecks = new AtomicInteger();
    Mixer remote = new Mixer() {
      public AttributeVocabulary vocabulary() { return V; }
      public Future<CheckResponse> check(CheckRequest r) {
        remoteChecks.incrementAndGet();
        return Future.succeededFuture(verdict(generation.get() == 1 ? 0 : 7, Duration.ofMinutes(1), 100));
      }
      public Future<Void> report(List<AttributeBag> batch) {
        // Mixer is now on config 2 and says so in its answer.
        generation.set(2);
        return Future.succeededFuture();
      }
      public long configGeneration() { return generation.get(); }
    };
    Mixer mixer = cache.front(remote);
    assertEquals(0, mixer.check(CheckRequest.of(bag("ratings", "a", "/"))).result().precondition().statusCode());
    assertEquals(0, mixer.check(CheckRequest.of(bag("ratings", "a", "/"))).result().precondition().statusCode());
    assertEquals(1, remoteChecks.get(), "the second came from the cache");
    mixer.report(List.of(bag("ratings", "a", "/")));
    assertEquals(7, mixer.check(CheckRequest.of(bag("ratings", "a", "/"))).result().precondition().statusCode(),
        "the verdict cached under generation 1 is gone");
    assertEquals(2, remoteChecks.get());
    assertEquals(7, mixer.check(CheckRequest.of(bag("ratings", "a", "/"))).result().precondition().statusCode());
    assertEquals(2, remoteChecks.get(), "the new verdict is cached in turn");
  }

  @Test
  void aVerdictAnsweredAfterTheVersionChangedIsNotKept() {
    // An in-process engine: a handler still answering for config 1 when config 2 comes in force.
    AtomicLong generation = new AtomicLong(1);
    AtomicInteger checks = new AtomicInteger();
    List<io.vertx.core.Promise<CheckResponse>> pending = new java.util.ArrayList<>();
    Mixer engine = new Mixer() {
      public AttributeVocabulary vocabulary() { return V; }
      public Future<CheckResponse> check(CheckRequest r) {
        checks.incrementAndGet();
        io.vertx.core.Promise<CheckResponse> p = io.vertx.core.Promise.promise();
        pending.add(p);
        return p.future();
      }
      public Future<Void> report(List<AttributeBag> batch) { return Future.succeededFuture(); }
      public long configGeneration() { return generation.get(); }
    };
    Mixer mixer = cache.front(engine);
    Future<CheckResponse> old = mixer.check(CheckRequest.of(bag("ratings", "a", "/")));
    generation.set(2);
    pending.get(0).complete(verdict(0, Duration.ofMinutes(1), 100));
    assertEquals(0, old.result().precondition().statusCode(), "the caller still gets its answer");
    Future<CheckResponse> next = mixer.check(CheckRequest.of(bag("ratings", "a", "/")));
    assertEquals(2, checks.get(), "config 1's verdict was not cached under config 2");
    pending.get(1).complete(verdict(7, Duration.ofMinutes(1), 100));
    assertEquals(7, next.result().precondition().statusCode());
    assertEquals(7, mixer.check(CheckRequest.of(bag("ratings", "a", "/"))).result().precondition().statusCode());
    assertEquals(2, checks.get(), "a verdict asked and answered under config 2 is cached");
  }

  @Test
  void theWrappersInFrontOfMixerPassOnItsVersionAndReads() {
    AtomicLong generation = new AtomicLong(3);
    ReferencedAttributes read = new ReferencedAttributes(Set.of("request.path"), Map.of());
    Mixer remote = new Mixer() {
      public AttributeVocabulary vocabulary() { return V; }
      public Future<CheckResponse> check(CheckRequest r) { return Future.succeededFuture(verdict(0, Duration.ofMinutes(1), 100)); }
      public Future<Void> report(List<AttributeBag> batch) { return Future.succeededFuture(); }
      public long configGeneration() { return generation.get(); }
      public ReferencedAttributes attributesRead() { return read; }
    };
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      // The proxy's whole stack, as kernel/README draws it: a cache that follows the version must see it.
      Mixer guarded = UnreachableMixerPolicy.guard(vertx, remote, false, Duration.ofSeconds(1));
      Mixer prefetching = QuotaPrefetch.front(guarded, cache, 10, now::get);
      for (Mixer m : List.of(guarded, prefetching, cache.front(prefetching))) {
        generation.set(3);
        assertEquals(3, m.configGeneration());
        generation.set(4);
        assertEquals(4, m.configGeneration());
        assertSame(read, m.attributesRead());
        assertSame(V, m.vocabulary());
      }
    } finally {
      vertx.close();
    }
  }

  @Test
  void clearForgetsEverything() {
    cache.store(bag("ratings", "john", "/a"), verdict(0, Duration.ofMinutes(1), 1000));
    cache.clear();
    assertEquals(0, cache.size());
    assertNull(cache.lookup(bag("ratings", "john", "/a")));
  }
}
