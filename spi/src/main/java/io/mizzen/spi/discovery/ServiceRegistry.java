package io.mizzen.spi.discovery;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import org.pf4j.ExtensionPoint;

/** A discovery source: a file, Kubernetes, self-registration, ServiceEntries. */
public interface ServiceRegistry extends ExtensionPoint {

  /** The source's name, used in {@link ServiceInstance#source()} and in {@code mizzen.yaml}. */
  String name();

  /**
   * Starts watching and reporting to {@code sink}.
   *
   * @return a Future completed after the first full report has been given to the sink, or failed
   *     if the source cannot be read at all (the kernel then runs without it and says why)
   */
  Future<Void> start(MeshContext context, RegistrySink sink);

  /** Stops watching. @return a Future completed once nothing more will be reported */
  Future<Void> stop();
}
