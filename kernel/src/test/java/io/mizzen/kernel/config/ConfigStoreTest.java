package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.config.networking.NetworkingModel;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigStoreTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();
  private static final ResourceKey REVIEWS_VS = new ResourceKey("VirtualService", "default", "reviews");

  static List<Resource> yaml(String origin, String text) {
    Loaded l = LOADER.read(origin, text);
    assertEquals(List.of(), l.errors());
    return l.resources();
  }

  static final String BASE = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec: {ports: [{port: 9080, name: http}], selector: {app: reviews}}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http: [{route: [{destination: {host: reviews, subset: v1}}]}]
      """;

  private static String subsetOf(ConfigStore store) {
    return NetworkingModel.virtualService(store.snapshot().get(REVIEWS_VS)).orElseThrow()
        .http().get(0).route().get(0).destination().subset();
  }

  @Test
  void keepsTheLastGoodVersionWhenABadBatchArrives(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    List<ConfigSnapshot> seen = new CopyOnWriteArrayList<>();
    ConfigStore.open(vertx, dir, Set::of).compose(store -> {
      store.onChange(seen::add);
      return store.apply(yaml("base.yaml", BASE), List.of()).compose(first -> {
        ctx.verify(() -> {
          assertTrue(first.ok(), first.problems().toString());
          assertEquals(1, first.version());
          assertEquals(3, first.accepted().size());
        });
        // A typo refuses the new VirtualService; the old one stays.
        return store.apply(yaml("typo.yaml", """
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - rout: [{destination: {host: reviews, subset: v2}}]
            """), List.of());
      }).compose(typo -> {
        ctx.verify(() -> {
          assertFalse(typo.ok());
          assertEquals(List.of(REVIEWS_VS), typo.refused());
          assertTrue(typo.errors().get(0).toString().contains("typo.yaml:7"), typo.errors().toString());
          assertTrue(typo.errors().get(0).toString().contains("spec.http[0].rout"), typo.errors().toString());
          assertEquals(1, store.snapshot().version());
          assertEquals("v1", subsetOf(store));
        });
        // The rule is invalid (bad enum), so the route to its new subset v3 is refused too; the
        // valid unrelated Service of the same batch is accepted.
        return store.apply(yaml("batch.yaml", """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy: {loadBalancer: {simple: FASTEST}}
              subsets: [{name: v3, labels: {version: v3}}]
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http: [{route: [{destination: {host: reviews, subset: v3}}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ratings}
            spec: {ports: [{port: 9080, name: http}]}
            """), List.of());
      }).compose(batch -> {
        ctx.verify(() -> {
          assertEquals(List.of(new ResourceKey("DestinationRule", "default", "reviews"), REVIEWS_VS), batch.refused());
          assertEquals(List.of(new ResourceKey("Service", "default", "ratings")), batch.accepted());
          assertTrue(batch.errors().stream().anyMatch(p -> p.field().equals("spec.trafficPolicy.loadBalancer.simple")));
          assertTrue(batch.errors().stream().anyMatch(p -> p.field().equals("spec.http[0].route[0].destination.subset")
              && p.line() == 14), batch.errors().toString());
          assertEquals(2, store.snapshot().version());
          assertEquals("v1", subsetOf(store));
          assertEquals(4, store.snapshot().resources().size());
          assertEquals(List.of(1L, 2L), seen.stream().map(ConfigSnapshot::version).toList());
        });
        return ConfigStore.open(vertx, dir, Set::of);
      }).map(reopened -> {
        ctx.verify(() -> {
          assertEquals(store.snapshot(), reopened.snapshot());
          assertEquals("v1", subsetOf(reopened));
          assertTrue(Files.exists(dir.resolve(ConfigStore.STATE_FILE)));
          assertFalse(Files.exists(dir.resolve(ConfigStore.STATE_FILE + ".tmp")));
        });
        return reopened;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void replacingAnOriginDeletesWhatItNoLongerGives(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    ConfigStore.open(vertx, dir, () -> Set.of("ratings.default.svc.cluster.local")).compose(store ->
        store.replaceOrigin("base.yaml", yaml("base.yaml", BASE))
            .compose(r -> store.replaceOrigin("base.yaml", yaml("base.yaml", BASE.substring(0, BASE.indexOf("---")))))
            .map(r -> {
              ctx.verify(() -> {
                assertEquals(2, r.deleted().size(), r.toString());
                assertEquals(1, store.snapshot().resources().size());
                assertEquals(2, store.snapshot().version());
              });
              return r;
            })
            .compose(r -> store.replaceOrigin("base.yaml", yaml("base.yaml", BASE.substring(0, BASE.indexOf("---")))))
            .map(same -> {
              ctx.verify(() -> assertEquals(2, same.version(), "an unchanged origin makes no new version"));
              return same;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aHostDiscoveryHasNotReportedYetIsAcceptedWithAWarning(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    ConfigStore.open(vertx, dir, Set::of)
        .compose(store -> store.apply(yaml("early.yaml", """
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: details}
            spec:
              hosts: [details]
              http: [{route: [{destination: {host: details}}]}]
            """), List.of()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(r.ok(), r.problems().toString());
          assertEquals(1, r.accepted().size());
          assertEquals(ConfigProblem.Severity.WARNING, r.problems().get(0).severity());
          assertEquals("spec.http[0].route[0].destination.host", r.problems().get(0).field());
          ctx.completeNow();
        })));
  }

  @Test
  void aFailingListenerDoesNotStopTheOthersAndARemovedOneHearsNothing(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    List<Long> heard = new CopyOnWriteArrayList<>();
    List<Long> removedHeard = new CopyOnWriteArrayList<>();
    ConfigStore.open(vertx, dir, Set::of).compose(store -> {
      store.onChange(s -> {
        throw new IllegalStateException("listener bug");
      });
      store.onChange(s -> heard.add(s.version()));
      store.onChange(s -> removedHeard.add(s.version())).run();
      return store.apply(yaml("base.yaml", BASE), List.of());
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertTrue(r.ok());
      assertEquals(List.of(1L), heard);
      assertEquals(List.of(), removedHeard);
      ctx.completeNow();
    })));
  }

  @Test
  void theSinkReportsRefusalsAsMessages(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    ConfigStore.open(vertx, dir, Set::of)
        .compose(store -> store.sink().replaceOrigin("bad.yaml", yaml("bad.yaml", """
            apiVersion: networking.istio.io/v1alpha3
            kind: Gateway
            metadata: {name: gw}
            spec:
              servers:
              - port: {number: 70000, protocol: HTTP, name: http}
                hosts: ["*"]
            """)))
        .onComplete(ctx.succeeding(errors -> ctx.verify(() -> {
          assertEquals(1, errors.size());
          assertTrue(errors.get(0).contains("bad.yaml:6") && errors.get(0).contains("spec.servers[0].port.number"), errors.get(0));
          ctx.completeNow();
        })));
  }
}
