package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.HandlerConfig;
import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handlers built for one config version. A handler whose adapter and params did not change
 * is carried over from the previous version as is, so its state (quota counters, fetched lists)
 * survives unrelated config pushes.
 */
final class HandlerTable {
  /** A handler ready to call, or the reason it is not. */
  record Built(HandlerConfig config, MixerAdapter.Handler handler, String failure) {}

  final Map<String, Built> byName;

  private HandlerTable(Map<String, Built> byName) {
    this.byName = byName;
  }

  static HandlerTable empty() {
    return new HandlerTable(Map.of());
  }

  /** Builds (or carries over) every in-process handler of {@code config}; never fails. */
  static Future<HandlerTable> build(MixerConfig config, HandlerTable previous, Map<String, MixerAdapter> adapters,
                                    MeshContext context, List<ResourceError> errors) {
    Map<String, Built> out = new LinkedHashMap<>();
    List<Future<?>> pending = new ArrayList<>();
    for (HandlerConfig h : config.handlers().values()) {
      if (h.outOfProcess()) {
        out.put(h.name(), new Built(h, null, "out-of-process handler (inactive)"));
        continue;
      }
      Built old = previous.byName.get(h.name());
      if (old != null && old.handler() != null && old.config().adapter().equals(h.adapter())
          && old.config().params().equals(h.params())) {
        out.put(h.name(), new Built(h, old.handler(), null));
        continue;
      }
      Future<MixerAdapter.Handler> f;
      try {
        f = adapters.get(h.adapter()).build(h.params(), context);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      pending.add(f.andThen(ar -> {
        synchronized (out) {
          if (ar.succeeded()) {
            out.put(h.name(), new Built(h, ar.result(), null));
          } else {
            out.put(h.name(), new Built(h, null, "adapter " + h.adapter() + " could not build it: " + ar.cause().getMessage()));
            errors.add(new ResourceError(h.origin(), null, "spec.params", "adapter " + h.adapter()
                + " could not build the handler: " + ar.cause().getMessage()));
          }
        }
      }));
    }
    return Future.join(pending).transform(ignored -> Future.succeededFuture(new HandlerTable(Map.copyOf(out))));
  }

  /** Closes the handlers of this table that {@code next} does not carry over. */
  Future<Void> closeReplaced(HandlerTable next) {
    List<Future<Void>> closing = new ArrayList<>();
    for (Built b : byName.values()) {
      if (b.handler() == null) {
        continue;
      }
      Built kept = next.byName.get(b.config().name());
      if (kept == null || kept.handler() != b.handler()) {
        try {
          closing.add(b.handler().close());
        } catch (RuntimeException e) {
          closing.add(Future.failedFuture(e));
        }
      }
    }
    return Future.join(closing).mapEmpty();
  }
}
