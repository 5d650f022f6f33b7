package io.mizzen.spi.config;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import org.pf4j.ExtensionPoint;

/** Where Istio resources come from: a watched folder, Kubernetes CRDs, … */
public interface ConfigSource extends ExtensionPoint {

  /** The source's name, such as {@code folder}. */
  String name();

  /**
   * Starts reading and watching, reporting to {@code sink}.
   *
   * @return a Future completed after the first full read was handed to the sink, or failed when
   *     the source cannot be reached at all
   */
  Future<Void> start(MeshContext context, ConfigSink sink);

  /** Stops watching. @return a Future completed once nothing more will be handed over */
  Future<Void> stop();
}
