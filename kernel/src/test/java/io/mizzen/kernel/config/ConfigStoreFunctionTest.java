package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.ConfigSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigStoreFunctionTest {

  /** A source like the folder plugin: reads the bookinfo samples once, on a worker. */
  static final class SamplesSource implements ConfigSource {
    final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public String name() {
      return "samples";
    }

    @Override
    public Future<Void> start(MeshContext context, ConfigSink sink) {
      Path kube = Samples.root().resolve("bookinfo/platform/kube/bookinfo.yaml");
      Path rules = Samples.root().resolve("bookinfo/networking/destination-rule-all.yaml");
      Path routes = Samples.root().resolve("bookinfo/networking/virtual-service-all-v1.yaml");
      ConfigLoader loader = ConfigLoader.create();
      return loader.read(context.vertx(), kube)
          .compose(l -> sink.replaceOrigin(kube.toString(), l.resources()))
          .compose(e -> loader.read(context.vertx(), rules))
          .compose(l -> sink.replaceOrigin(rules.toString(), l.resources()))
          .compose(e -> loader.read(context.vertx(), routes))
          .compose(l -> sink.replaceOrigin(routes.toString(), l.resources()))
          .mapEmpty();
    }

    @Override
    public Future<Void> stop() {
      stopped.set(true);
      return Future.succeededFuture();
    }
  }

  /** The parts of the kernel's context a function uses, over a real Vert.x. */
  record HostContext(Vertx vertx, Path stateDir, List<ConfigSource> sources, Map<Class<?>, Object> services)
      implements MeshContext {
    @Override
    public <T> Future<T> executeBlocking(Callable<T> task) {
      return vertx.executeBlocking(task);
    }

    @Override
    public String trustDomain() {
      return "cluster.local";
    }

    @Override
    public String rootNamespace() {
      return "istio-system";
    }

    @Override
    public Role role() {
      return Role.CONTROL_PLANE;
    }

    @Override
    public Map<String, Object> settings(String extensionName) {
      return Map.of();
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> List<T> extensions(Class<T> extensionPoint) {
      return extensionPoint == ConfigSource.class ? (List<T>) sources : List.of();
    }

    @Override
    public <T> T lookup(Class<T> type) {
      return type.cast(services.get(type));
    }

    @Override
    public <T> void publish(Class<T> type, T service) {
      services.put(type, service);
    }
  }

  @Test
  void publishesTheStoreFilledByEverySource(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    SamplesSource source = new SamplesSource();
    HostContext host = new HostContext(vertx, dir, List.of(source), new ConcurrentHashMap<>());
    ConfigStoreFunction function = new ConfigStoreFunction();
    assertFalse(function.ready());
    function.start(host).compose(v -> {
      ctx.verify(() -> {
        assertTrue(function.ready());
        ConfigStore store = host.lookup(ConfigStore.class);
        assertEquals(4, store.snapshot().ofKind("VirtualService").size());
        assertEquals(4, store.snapshot().ofKind("DestinationRule").size());
        assertEquals(4, store.snapshot().ofKind("Service").size());
        assertEquals(3, store.snapshot().version());
      });
      return function.stop();
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertTrue(source.stopped.get());
      assertFalse(function.ready());
      ctx.completeNow();
    })));
  }

  @Test
  void aSourceThatCannotStartIsNamed(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    ConfigSource broken = new ConfigSource() {
      @Override
      public String name() {
        return "kubernetes";
      }

      @Override
      public Future<Void> start(MeshContext context, ConfigSink sink) {
        return Future.failedFuture("API server unreachable");
      }

      @Override
      public Future<Void> stop() {
        return Future.succeededFuture();
      }
    };
    new ConfigStoreFunction().start(new HostContext(vertx, dir, List.of(broken), new ConcurrentHashMap<>()))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals("config source 'kubernetes' cannot start: API server unreachable", e.getMessage());
          ctx.completeNow();
        })));
  }
}
