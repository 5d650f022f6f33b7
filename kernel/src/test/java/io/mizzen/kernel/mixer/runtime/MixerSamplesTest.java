package io.mizzen.kernel.mixer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.RecordingAdapter;
import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.plugins.listchecker.ListcheckerAdapter;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Instance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Istio samples, unchanged, through the real engine and the real denier, listchecker and
 * memquota adapters; prometheus and stdio (other modules) are stood in for by recorders.
 */
@ExtendWith(VertxExtension.class)
class MixerSamplesTest {
  @TempDir Path dir;
  private final RecordingAdapter prometheus = new RecordingAdapter("prometheus", Set.of("metric"));
  private final RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
  private int requestIds;

  private Future<MixerEngine> engine(Vertx vertx, String... samples) {
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(),
        List.of(new DenierAdapter(), new ListcheckerAdapter(), new MemquotaAdapter(), prometheus, stdio));
    return engine.apply(TestResources.samples(samples), 1).map(errors -> {
      assertEquals(List.of(), errors);
      return engine;
    });
  }

  /** A request to a bookinfo service in namespace default, as a sidecar describes it. */
  private AttributeBag request(MixerEngine e, String destApp, Map<String, String> sourceLabels, Consumer<AttributeBag.Builder> more) {
    AttributeBag.Builder b = AttributeBag.builder(e.vocabulary())
        .put("destination.labels", Map.of("app", destApp))
        .put("destination.namespace", "default")
        .put("destination.service.name", destApp)
        .put("destination.service.namespace", "default")
        .put("destination.service.host", destApp + ".default.svc.cluster.local")
        .put("source.labels", sourceLabels)
        .put("request.id", "req-" + (++requestIds))
        .put("context.protocol", "http");
    more.accept(b);
    return b.build();
  }

  private static Future<CheckResponse> check(MixerEngine e, AttributeBag bag) {
    return e.check(CheckRequest.of(bag));
  }

  @Test
  void denialByLabel(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-deny-label.yaml").compose(e -> {
      Future<CheckResponse> v3 = check(e, request(e, "ratings", Map.of("app", "reviews", "version", "v3"), b -> { }));
      Future<CheckResponse> v2 = check(e, request(e, "ratings", Map.of("app", "reviews", "version", "v2"), b -> { }));
      return Future.all(v3, v2).map(all -> List.of(v3.result(), v2.result()));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      HttpDenial denial = HttpDenial.of(r.get(0).effectiveStatus());
      assertEquals(403, denial.httpStatus());
      assertEquals("PERMISSION_DENIED:denyreviewsv3handler.handler.default:Not allowed", denial.body());
      assertTrue(r.get(1).effectiveStatus().isOk());
      ctx.completeNow();
    })));
  }

  @Test
  void whitelistByVersion(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-deny-whitelist.yaml").compose(e -> {
      Future<CheckResponse> v3 = check(e, request(e, "ratings", Map.of("app", "reviews", "version", "v3"), b -> { }));
      Future<CheckResponse> v1 = check(e, request(e, "ratings", Map.of("app", "reviews", "version", "v1"), b -> { }));
      Future<CheckResponse> other = check(e, request(e, "details", Map.of("app", "productpage", "version", "v9"), b -> { }));
      return Future.all(v3, v1, other).map(all -> List.of(v3.result(), v1.result(), other.result()));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(CheckResult.NOT_FOUND, r.get(0).effectiveStatus().statusCode());
      assertEquals("whitelist.handler.default:v3 is not whitelisted", r.get(0).effectiveStatus().message());
      assertTrue(r.get(1).effectiveStatus().isOk());
      assertTrue(r.get(2).effectiveStatus().isOk(), "the rule only guards ratings");
      ctx.completeNow();
    })));
  }

  @Test
  void denialOfJohn(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-ratings-denial.yaml", "bookinfo/policy/mixer-rule-ingress-denial.yaml").compose(e -> {
      Future<CheckResponse> john = check(e, request(e, "reviews", Map.of("app", "productpage"),
          b -> b.put("request.headers", Map.of("x-user", "john"))));
      Future<CheckResponse> jason = check(e, request(e, "reviews", Map.of("app", "productpage"),
          b -> b.put("request.headers", Map.of("x-user", "jason"))));
      Future<CheckResponse> anonymous = check(e, request(e, "reviews", Map.of("app", "productpage"), b -> { }));
      return Future.all(john, jason, anonymous).map(all -> List.of(john.result(), jason.result(), anonymous.result()));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(403, HttpDenial.of(r.get(0).effectiveStatus()).httpStatus());
      assertTrue(r.get(1).effectiveStatus().isOk());
      assertTrue(r.get(2).effectiveStatus().isOk(), "no header: the | default applies");
      ctx.completeNow();
    })));
  }

  @Test
  void denialByServiceAccountAndByIp(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-deny-serviceaccount.yaml", "bookinfo/policy/mixer-rule-deny-ip.yaml").compose(e -> {
      Future<CheckResponse> productpage = check(e, request(e, "details", Map.of("app", "productpage"),
          b -> b.put("source.user", "cluster.local/ns/default/sa/bookinfo-productpage")));
      Future<CheckResponse> reviews = check(e, request(e, "details", Map.of("app", "reviews"),
          b -> b.put("source.user", "cluster.local/ns/default/sa/bookinfo-reviews")));
      Future<CheckResponse> inside = check(e, request(e, "productpage", Map.of("istio", "ingressgateway"),
          b -> b.put("source.ip", AttributeValues.ipAddress("10.57.3.4"))));
      Future<CheckResponse> outside = check(e, request(e, "productpage", Map.of("istio", "ingressgateway"),
          b -> b.put("source.ip", AttributeValues.ipAddress("192.0.2.1"))));
      return Future.all(List.of(productpage, reviews, inside, outside))
          .map(all -> List.of(productpage.result(), reviews.result(), inside.result(), outside.result()));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(CheckResult.PERMISSION_DENIED, r.get(0).effectiveStatus().statusCode());
      assertTrue(r.get(1).effectiveStatus().isOk());
      assertTrue(r.get(2).effectiveStatus().isOk());
      assertEquals("whitelistip.handler.default:192.0.2.1 is not whitelisted", r.get(3).effectiveStatus().message());
      ctx.completeNow();
    })));
  }

  @Test
  void productpageRateLimitIsExhaustedAfterTwoRequests(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-productpage-ratelimit.yaml").compose(e -> {
      List<CheckResponse> answers = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 4; i++) {
        String app = i < 3 ? "productpage" : "reviews";
        chain = chain.compose(v -> check(e, request(e, app, Map.of("app", "x"), b -> { })).map(r -> {
          answers.add(r);
          return null;
        }));
      }
      return chain.map(v -> answers);
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(1, r.get(0).quotas().get("requestcountquota").granted());
      assertTrue(r.get(1).effectiveStatus().isOk());
      CheckResult third = r.get(2).effectiveStatus();
      assertEquals(CheckResult.RESOURCE_EXHAUSTED, third.statusCode());
      assertEquals(429, HttpDenial.of(third).httpStatus());
      assertEquals(Duration.ofSeconds(5), r.get(2).quotas().get("requestcountquota").validDuration());
      assertTrue(r.get(3).quotas().isEmpty(), "reviews is not bound to the QuotaSpec");
      ctx.completeNow();
    })));
  }

  @Test
  void ratingsRateLimitsDependOnTheSource(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-ratings-ratelimit.yaml").compose(e -> {
      List<CheckResponse> answers = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      String[] sources = {"reviews", "reviews", "productpage", "productpage"};
      for (String source : sources) {
        chain = chain.compose(v -> check(e, request(e, "ratings", Map.of("app", source), b -> { })).map(r -> {
          answers.add(r);
          return null;
        }));
      }
      return chain.map(v -> answers);
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertTrue(r.get(0).effectiveStatus().isOk());
      assertEquals(CheckResult.RESOURCE_EXHAUSTED, r.get(1).effectiveStatus().statusCode(), "reviews → ratings: 1 per second");
      assertTrue(r.get(2).effectiveStatus().isOk());
      assertTrue(r.get(3).effectiveStatus().isOk(), "other sources → ratings: 100 per second");
      ctx.completeNow();
    })));
  }

  @Test
  void doubleRequestCountAndLogEntriesAreReported(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/telemetry/metrics-crd.yaml", "bookinfo/telemetry/log-entry.yaml").compose(e -> {
      AttributeBag done = request(e, "reviews", Map.of("app", "productpage"), b -> b
          .put("source.workload.name", "productpage-v1").put("destination.workload.name", "reviews-v2")
          .put("source.user", "cluster.local/ns/default/sa/bookinfo-productpage")
          .put("request.time", java.time.Instant.parse("2020-01-01T00:00:00Z"))
          .put("response.code", 200L).put("response.size", 1234L).put("response.duration", Duration.ofMillis(12)));
      return e.report(List.of(done));
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      Instance metric = prometheus.received.get(0);
      assertEquals("doublerequestcount.instance.istio-system", metric.name());
      assertEquals(2L, metric.fields().get("value"));
      assertEquals(Map.of("reporter", "server", "source", "productpage-v1", "destination", "reviews-v2", "message", "twice the fun!"),
          metric.fields().get("dimensions"));
      Instance log = stdio.received.get(0);
      assertEquals("warning", log.fields().get("severity"));
      Map<?, ?> variables = (Map<?, ?>) log.fields().get("variables");
      assertEquals("productpage", variables.get("source"));
      assertEquals(200L, variables.get("responseCode"));
      assertEquals(Duration.ofMillis(12), variables.get("latency"));
      ctx.completeNow();
    })));
  }

  @Test
  void checkCacheServesRepeatsWithoutAskingTheEngine(Vertx vertx, VertxTestContext ctx) {
    engine(vertx, "bookinfo/policy/mixer-rule-deny-label.yaml").compose(e -> {
      io.mizzen.spi.mixer.Mixer cached = io.mizzen.spi.mixer.CheckCache.create(1000, System::nanoTime).front(e);
      List<Future<CheckResponse>> answers = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 10; i++) {
        String path = "/ratings/" + i;
        chain = chain.compose(v -> {
          Future<CheckResponse> f = cached.check(CheckRequest.of(request(e, "ratings", Map.of("app", "reviews", "version", "v3"),
              b -> b.put("request.path", path))));
          answers.add(f);
          return f.mapEmpty();
        });
      }
      return chain.map(v -> {
        ctx.verify(() -> {
          answers.forEach(a -> assertEquals(CheckResult.PERMISSION_DENIED, a.result().effectiveStatus().statusCode()));
          assertEquals(1, e.handlerCounts().get("denyreviewsv3handler.handler.default").calls(),
              "request.id and request.path are not referenced: one call, nine cache hits");
        });
        return e;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
