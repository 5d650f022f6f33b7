package io.mizzen.spi.discovery;

import java.util.List;

/** Where a {@link ServiceRegistry} reports what it sees; the kernel merges every source into one view. */
public interface RegistrySink {

  /**
   * Replaces everything this registry reported before with {@code instances}. Called on the
   * registry's own context; cheap, never blocks.
   */
  void replaceAll(List<ServiceInstance> instances);
}
