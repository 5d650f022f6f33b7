package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Mixer in-process: the {@link Mixer} the embedded mode and the gRPC server both serve. Config
 * versions are applied whole; requests in flight finish on the version they started with.
 */
public interface MixerEngine extends Mixer {

  /**
   * Compiles {@code resources} as config {@code version}, builds its handlers (carrying over
   * unchanged ones) and makes it current.
   *
   * @return a Future completed once the version is in force, with every refused resource's
   *     errors (an empty list when all were valid). Refused resources are simply absent from the
   *     new version. The Future does not fail.
   */
  Future<List<ResourceError>> apply(List<Resource> resources, long version);

  /**
   * Replaces the adapters the next {@link #apply} compiles against (a plugin was dropped in or
   * removed); what is in force is unchanged until then.
   *
   * @throws IllegalArgumentException when two adapters share a name
   */
  void useAdapters(List<MixerAdapter> adapters);

  /** The adapters the next {@link #apply} compiles against. */
  List<MixerAdapter> adapters();

  /** The config version in force. */
  MixerConfig config();

  /** Per-handler call, error and timeout counts, by handler name. */
  Map<String, HandlerCounts> handlerCounts();

  /** Closes every handler. @return a Future completed once all have closed (failures ignored) */
  Future<Void> close();

  /**
   * An engine with these adapters, empty until the first {@link #apply}. Reads the built-in
   * attribute manifest from the classpath: call it off the event loop (it is the only I/O the
   * engine does; applying versions and serving do none).
   */
  static MixerEngine create(MeshContext context, EngineOptions options, List<MixerAdapter> adapters) {
    return new Engine(context, options, adapters);
  }
}
