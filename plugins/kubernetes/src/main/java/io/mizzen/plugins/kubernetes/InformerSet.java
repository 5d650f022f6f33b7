package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Informers started and stopped together, whose events are handed to one Vert.x context. fabric8
 * calls handlers on its own threads; everything the plugin does with an event runs on
 * {@code context}, so the plugin's state has one owner.
 */
final class InformerSet {
  private final Context context;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  InformerSet(Context context) {
    this.context = context;
  }

  /**
   * Adds {@code informer} (not yet started); each add, update (resync included) and delete runs
   * {@code onEvent} on the context with the object and whether it was deleted.
   */
  <T extends HasMetadata> SharedIndexInformer<T> add(SharedIndexInformer<T> informer, EventHandler<T> onEvent) {
    informer.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        context.runOnContext(v -> onEvent.handle(obj, false));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        context.runOnContext(v -> onEvent.handle(newObj, false));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        context.runOnContext(v -> onEvent.handle(obj, true));
      }
    });
    informers.add(informer);
    return informer;
  }

  /** Adds {@code informer} with a handler that ignores which object changed. */
  <T extends HasMetadata> SharedIndexInformer<T> add(SharedIndexInformer<T> informer, Runnable onChange) {
    return add(informer, (obj, deleted) -> onChange.run());
  }

  /**
   * Starts every informer.
   *
   * @return a Future completed on the context once each has listed and synced, or failed with
   *     the first informer's failure (the API server unreachable, a kind it does not serve)
   */
  Future<Void> start() {
    List<Future<Void>> synced = new ArrayList<>();
    for (SharedIndexInformer<?> informer : informers) {
      synced.add(Future.fromCompletionStage(informer.start(), context));
    }
    return Future.all(synced).mapEmpty();
  }

  /** Stops every informer (fabric8 stops without blocking). */
  void stop() {
    informers.forEach(SharedIndexInformer::stop);
  }

  /** What to do with one event, on the context. */
  @FunctionalInterface
  interface EventHandler<T> {
    void handle(T object, boolean deleted);
  }

  /** Runs {@code consumer} for each informer, for callers that inspect them. */
  void forEach(Consumer<SharedIndexInformer<?>> consumer) {
    informers.forEach(consumer);
  }
}
