package io.mizzen.kernel.discovery;

import io.mizzen.spi.discovery.RegistrySink;
import io.mizzen.spi.discovery.ServiceInstance;
import java.util.List;
import java.util.Set;

/**
 * The one merged view of every discovery source. Each source reports through its own
 * {@link #sink(String)}; a source's report replaces what it reported before, and never touches
 * another source's instances.
 */
public interface MeshDiscovery {

  /** An empty view. */
  static MeshDiscovery create() {
    return new MergedDiscovery();
  }

  /** The sink of source {@code source} ({@code file}, {@code self}, {@code serviceentry}, …). */
  RegistrySink sink(String source);

  /** Every instance now known, sources in the order they first reported. */
  List<ServiceInstance> instances();

  /** The host names known now (for analysis: a host that resolves to nothing). */
  Set<String> hosts();

  /** Grows by one with each change of the view. */
  long generation();

  /**
   * Calls {@code listener} after each change, on the thread of the reporting source; it must be
   * quick and hand anything more to its own context.
   *
   * @return a handle that removes the listener when run
   */
  Runnable onChange(Runnable listener);
}
