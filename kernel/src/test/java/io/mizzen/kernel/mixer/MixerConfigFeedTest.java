package io.mizzen.kernel.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** MixerFunction following a real ConfigStore: changes recompiled, last good config kept. */
@ExtendWith(VertxExtension.class)
class MixerConfigFeedTest {
  /**
   * A rule Mixer refuses and the store takes: an attribute no manifest declares is only a warning
   * to validate (an attributemanifest in the store could declare it), but Mixer's compiler, which
   * sees every manifest, refuses it.
   */
  private static final String BROKEN_RULE = """
      apiVersion: config.istio.io/v1alpha2
      kind: rule
      metadata:
        name: mixerdenysome
        namespace: istio-system
      spec:
        match: request.headers["clnt"] == "abc" && nosuch.attribute == "x"
        actions:
        - handler: denyall
          instances: [denyrequest.checknothing]
      """;

  @TempDir Path dir;

  @Test
  void followsTheStoreAndKeepsTheLastGoodRuleWhenAnEditBreaksIt(Vertx vertx, VertxTestContext ctx) {
    TestMeshContext context = new TestMeshContext(vertx, dir, Role.CONTROL_PLANE, Map.of(), List.of(new DenierAdapter()));
    MixerFunction mixer = new MixerFunction();
    ConfigStore[] store = new ConfigStore[1];
    Mixer[] remote = new Mixer[1];
    ConfigStore.open(vertx, dir.resolve("config"), Set::of)
        .compose(s -> {
          store[0] = s;
          context.publish(ConfigStore.class, s);
          return s.apply(TestResources.sample("mixer-testdata/deny.yaml"), List.of());
        })
        // The store already holds the denial when Mixer starts: it must be in force at once.
        .compose(applied -> mixer.start(context))
        .compose(v -> RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(mixer.port(), "127.0.0.1")))
        .compose(r -> {
          remote[0] = r;
          return check(r);
        })
        .compose(status -> {
          ctx.verify(() -> assertEquals(CheckResult.PERMISSION_DENIED, status));
          return store[0].apply(TestResources.parse(BROKEN_RULE, "broken.yaml"), List.of());
        })
        .compose(applied -> {
          ctx.verify(() -> assertEquals(List.of(), applied.refused(), "the store takes it; only Mixer can judge it"));
          long version = applied.version();
          return eventually(vertx, () -> check(remote[0]).map(s -> mixer.feedVersion() >= version ? s : -1),
              s -> s >= 0);
        })
        .compose(status -> {
          ctx.verify(() -> {
            assertEquals(CheckResult.PERMISSION_DENIED, status, "the last good rule stays in force");
            assertTrue(mixer.feedErrors().stream().anyMatch(e -> e.resource().equals(new ResourceKey("rule", "istio-system", "mixerdenysome"))
                && e.field().startsWith("spec.match")), mixer.feedErrors().toString());
          });
          return store[0].apply(List.of(), List.of(new ResourceKey("rule", "istio-system", "mixerdenysome")));
        })
        .compose(applied -> eventually(vertx, () -> check(remote[0]), s -> s == CheckResult.OK))
        .compose(status -> mixer.stop())
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Integer> check(Mixer mixer) {
    return mixer.check(CheckRequest.of(AttributeBag.builder(mixer.vocabulary())
            .put("request.headers", Map.of("clnt", "abc")).build()))
        .map(r -> r.precondition().statusCode());
  }

  /** Polls {@code probe} every 20 ms until {@code done}, for at most 5 s. */
  private static <T> Future<T> eventually(Vertx vertx, java.util.function.Supplier<Future<T>> probe, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    long deadline = System.nanoTime() + 5_000_000_000L;
    poll(vertx, probe, done, deadline, result);
    return result.future();
  }

  private static <T> void poll(Vertx vertx, java.util.function.Supplier<Future<T>> probe, Predicate<T> done, long deadline, Promise<T> result) {
    probe.get().onComplete(r -> {
      if (r.succeeded() && done.test(r.result())) {
        result.complete(r.result());
      } else if (System.nanoTime() > deadline) {
        result.fail(new AssertionError("condition not met within 5 s; last: " + (r.succeeded() ? r.result() : r.cause())));
      } else {
        vertx.setTimer(20, t -> poll(vertx, probe, done, deadline, result));
      }
    });
  }
}
