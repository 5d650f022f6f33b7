package io.mizzen.kernel.mixer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.RecordingAdapter;
import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class MixerEngineTest {
  @TempDir Path dir;

  /** A check adapter whose behaviour its params choose: deny, hang, fail or throw. */
  static final class ScriptedAdapter implements MixerAdapter {
    final AtomicInteger builds = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Set<String> templates() {
      return Set.of("checknothing", "listentry");
    }

    @Override
    public List<ConfigError> validate(Map<String, Object> params) {
      return params.get("mode") instanceof String ? List.of() : List.of(new ConfigError("mode", "is required"));
    }

    @Override
    public Future<Handler> build(Map<String, Object> params, MeshContext context) {
      builds.incrementAndGet();
      String mode = (String) params.get("mode");
      return Future.succeededFuture(new Handler() {
        @Override
        public Future<CheckResult> check(Instance instance) {
          return switch (mode) {
            case "deny" -> Future.succeededFuture(CheckResult.denied(7, "no " + instance.fields().getOrDefault("value", ""), Duration.ofSeconds(5), 7));
            case "hang" -> Promise.<CheckResult>promise().future();
            case "fail" -> Future.failedFuture(new IllegalStateException("backend down"));
            case "throw" -> throw new IllegalStateException("bug");
            default -> Future.succeededFuture(CheckResult.ok(Duration.ofSeconds(3), 30));
          };
        }

        @Override
        public Future<Void> close() {
          closes.incrementAndGet();
          return Future.succeededFuture();
        }
      });
    }
  }

  private static String config(String mode) {
    return """
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: h, namespace: istio-system}
        spec: {compiledAdapter: scripted, params: {mode: MODE}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: who, namespace: istio-system}
        spec: {compiledTemplate: listentry, params: {value: 'request.headers["x-user"] | "nobody"'}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: log, namespace: istio-system}
        spec: {compiledTemplate: logentry, params: {severity: '"info"', variables: {path: request.path}}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: logs, namespace: istio-system}
        spec: {compiledAdapter: stdio}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: check-reviews, namespace: istio-system}
        spec:
          match: destination.labels["app"] == "reviews"
          actions: [{handler: h, instances: [who]}]
          responseHeaderOperations:
          - name: x-checked-by
            values: ['"mizzen:" + (request.headers["x-user"] | "nobody")']
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: log-all, namespace: istio-system}
        spec:
          match: context.protocol == "http"
          actions: [{handler: logs, instances: [log]}]
        """.replace("MODE", mode);
  }

  private MixerEngine engine(Vertx vertx, EngineOptions options, MixerAdapter... adapters) {
    return MixerEngine.create(new TestMeshContext(vertx, dir), options, List.of(adapters));
  }

  private static AttributeBag request(MixerEngine e, String app, String user) {
    AttributeBag.Builder b = AttributeBag.builder(e.vocabulary())
        .put("destination.labels", Map.of("app", app)).put("context.protocol", "http").put("request.path", "/p");
    if (user != null) {
      b.put("request.headers", Map.of("x-user", user));
    }
    return b.build();
  }

  @Test
  void denialCarriesHandlerNameValidityAndReferencedAttributes(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), new RecordingAdapter("stdio", Set.of("logentry")));
    engine.apply(TestResources.parse(config("deny"), "t.yaml"), 1)
        .compose(errors -> {
          assertEquals(List.of(), errors);
          return engine.check(CheckRequest.of(request(engine, "reviews", "john")));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(CheckResult.PERMISSION_DENIED, r.precondition().statusCode());
          assertEquals("h.handler.istio-system:no john", r.precondition().message());
          assertEquals(Duration.ofSeconds(5), r.precondition().validDuration());
          assertEquals(7, r.precondition().validUseCount());
          assertEquals(Set.of("x-user"), r.referenced().mapKeys().get("request.headers"));
          assertTrue(r.referenced().mapKeys().get("destination.labels").contains("app"));
          assertTrue(r.referenced().attributes().contains("destination.namespace"));
          assertEquals(List.of(new HeaderOperation("x-checked-by", List.of("mizzen:john"), HeaderOperation.Operation.REPLACE)),
              r.responseHeaderOperations());
          ctx.completeNow();
        })));
  }

  @Test
  void attributesReadCoverRulesInstancesHeaderOperationsAndQuotaSpecsAndNothingElse(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), new RecordingAdapter("stdio", Set.of("logentry")));
    String quotaSpec = """
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: QuotaSpec
        metadata: {name: by-cookie, namespace: istio-system}
        spec:
          rules:
          - match:
            - clause:
                request.headers[cookie]: {prefix: "user="}
                source.user: {exact: "jason"}
            quotas: [{quota: requestcount.quota.istio-system, charge: 1}]
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: QuotaSpecBinding
        metadata: {name: by-cookie, namespace: istio-system}
        spec:
          quotaSpecs: [{name: by-cookie, namespace: istio-system}]
          services: [{name: reviews, namespace: default}]
        """;
    engine.apply(TestResources.parse(config("allow") + quotaSpec, "t.yaml"), 1)
        .onComplete(ctx.succeeding(errors -> ctx.verify(() -> {
          assertEquals(List.of(), errors);
          var read = engine.attributesRead();
          // request.headers: the check instance, the header operation and the QuotaSpec read keys.
          assertEquals(Set.of("x-user", "cookie"), read.mapKeys().get("request.headers"));
          assertEquals(Set.of("app"), read.mapKeys().get("destination.labels"));
          // request.path only by the report instance, context.protocol by a match, source.user by a clause.
          for (String whole : List.of("request.path", "context.protocol", "source.user", "destination.namespace", "request.id")) {
            assertTrue(read.attributes().contains(whole), whole + " in " + read);
          }
          for (String unread : List.of("response.headers", "request.useragent", "response.size")) {
            assertTrue(!read.attributes().contains(unread) && !read.mapKeys().containsKey(unread), unread + " is read by nothing: " + read);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void requestsNoRuleMatchesAreAllowedWithTheDefaultValidity(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), new RecordingAdapter("stdio", Set.of("logentry")));
    engine.apply(TestResources.parse(config("deny"), "t.yaml"), 1)
        .compose(errors -> engine.check(CheckRequest.of(request(engine, "ratings", "john"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(r.precondition().isOk());
          assertEquals(EngineOptions.DEFAULT_VALID_DURATION, r.precondition().validDuration());
          assertTrue(r.responseHeaderOperations().isEmpty());
          ctx.completeNow();
        })));
  }

  @Test
  void aHangingAdapterTimesOutAndFailsClosed(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults().withAdapterTimeout(Duration.ofMillis(50)),
        new ScriptedAdapter(), new RecordingAdapter("stdio", Set.of("logentry")));
    engine.apply(TestResources.parse(config("hang"), "t.yaml"), 1)
        .compose(errors -> engine.check(CheckRequest.of(request(engine, "reviews", "john"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(CheckResult.UNAVAILABLE, r.precondition().statusCode());
          assertTrue(r.precondition().message().contains("did not answer within 50 ms"), r.precondition().message());
          assertEquals(0, r.precondition().validUseCount(), "a failure is never cached");
          HandlerCounts counts = engine.handlerCounts().get("h.handler.istio-system");
          assertEquals(1, counts.timeouts());
          assertEquals(1, counts.errors());
          ctx.completeNow();
        })));
  }

  @Test
  void failingAndThrowingAdaptersFailOpenWhenConfigured(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults().withFailOpen(true), new ScriptedAdapter(),
        new RecordingAdapter("stdio", Set.of("logentry")));
    engine.apply(TestResources.parse(config("fail"), "t.yaml"), 1)
        .compose(errors -> engine.check(CheckRequest.of(request(engine, "reviews", "john"))))
        .compose(r -> {
          ctx.verify(() -> assertTrue(r.precondition().isOk(), "fail open: " + r.precondition()));
          return engine.apply(TestResources.parse(config("throw"), "t.yaml"), 2);
        })
        .compose(errors -> engine.check(CheckRequest.of(request(engine, "reviews", "john"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(r.precondition().isOk());
          assertEquals(0, r.precondition().validUseCount());
          assertEquals(2, engine.handlerCounts().get("h.handler.istio-system").errors());
          ctx.completeNow();
        })));
  }

  @Test
  void unchangedHandlersSurviveANewVersionAndChangedOnesAreClosed(Vertx vertx, VertxTestContext ctx) {
    ScriptedAdapter scripted = new ScriptedAdapter();
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), scripted, new RecordingAdapter("stdio", Set.of("logentry")));
    engine.apply(TestResources.parse(config("deny"), "t.yaml"), 1)
        .compose(e -> engine.apply(TestResources.parse(config("deny"), "t.yaml"), 2))
        .compose(e -> {
          ctx.verify(() -> assertEquals(1, scripted.builds.get(), "same params: carried over"));
          return engine.apply(TestResources.parse(config("allow"), "t.yaml"), 3);
        })
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertEquals(2, scripted.builds.get());
          assertEquals(1, scripted.closes.get());
          assertEquals(3, engine.config().version());
          ctx.completeNow();
        })));
  }

  @Test
  void invalidResourcesAreRefusedAndTheRestServes(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), new RecordingAdapter("stdio", Set.of("logentry")));
    String broken = config("deny").replace("spec: {compiledAdapter: scripted, params: {mode: deny}}", "spec: {compiledAdapter: scripted, params: {}}");
    engine.apply(TestResources.parse(broken, "t.yaml"), 1)
        .onComplete(ctx.succeeding(errors -> ctx.verify(() -> {
          assertTrue(errors.stream().anyMatch(e -> e.field().equals("spec.params.mode") && e.message().equals("is required")), errors.toString());
          assertTrue(errors.stream().anyMatch(e -> e.resource().name().equals("check-reviews")), errors.toString());
          assertEquals(1, engine.config().rules().size(), "log-all still loads");
          ctx.completeNow();
        })));
  }

  @Test
  void reportsAreBatchedPerHandler(Vertx vertx, VertxTestContext ctx) {
    RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), stdio);
    engine.apply(TestResources.parse(config("allow"), "t.yaml"), 1)
        .compose(e -> {
          AttributeBag tcp = AttributeBag.builder(engine.vocabulary()).put("context.protocol", "tcp").build();
          AttributeBag noPath = AttributeBag.builder(engine.vocabulary()).put("context.protocol", "http").build();
          return engine.report(List.of(request(engine, "a", null), tcp, request(engine, "b", "x"), noPath));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(2, stdio.received.size());
          assertEquals(Map.of("path", "/p"), stdio.received.get(0).fields().get("variables"));
          HandlerCounts counts = engine.handlerCounts().get("logs.handler.istio-system");
          assertEquals(1, counts.calls(), "one call for the whole batch");
          assertEquals(1, counts.errors(), "the bag without request.path could not build its instance");
          ctx.completeNow();
        })));
  }

  @Test
  void aBatchReusesWhatEarlierBagsThatAgreedOnItsReadsGotAndNothingElse(Vertx vertx, VertxTestContext ctx) {
    RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
    MixerEngine engine = engine(vertx, EngineOptions.defaults(), new ScriptedAdapter(), stdio);
    engine.apply(TestResources.parse(config("allow"), "t.yaml"), 1)
        .compose(e -> {
          AttributeBag tcp = AttributeBag.builder(engine.vocabulary()).put("context.protocol", "tcp").build();
          AttributeBag noProtocol = AttributeBag.builder(engine.vocabulary()).put("request.path", "/p").build();
          AttributeBag other = AttributeBag.builder(engine.vocabulary()).put("context.protocol", "http")
              .put("request.path", "/q").build();
          // The rule matches context.protocol == "http"; the logentry's variables read request.path.
          return engine.report(List.of(request(engine, "a", null), request(engine, "b", "x"), tcp, other,
              noProtocol, noProtocol, request(engine, "c", null)));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          List<Object> paths = stdio.received.stream().map(i -> i.fields().get("variables")).toList();
          assertEquals(List.of(Map.of("path", "/p"), Map.of("path", "/p"), Map.of("path", "/q"), Map.of("path", "/p")), paths,
              "the tcp bag matched nothing, the one after it matched again, each with its own path");
          assertTrue(paths.get(0) == paths.get(1), "the second bag agreed on request.path: the first one's map is reused");
          assertTrue(stdio.received.get(0) == stdio.received.get(1), "and so is the whole instance (it reads nothing else)");
          assertTrue(stdio.received.get(3) != stdio.received.get(0), "the last bag follows one with another path: built anew");
          assertEquals(stdio.received.get(0), stdio.received.get(3));
          // log-all cannot read context.protocol of the two bags without it: both count, though
          // they agree. check-reviews has no report instance, so reports never match it (as
          // Mixer routed reports only through rules with report actions).
          assertEquals(2, ((Engine) engine).expressionErrors(), "a match that cannot be evaluated is counted for each bag");
          ctx.completeNow();
        })));
  }
}
