package io.mizzen.kernel.discovery;

import io.mizzen.spi.discovery.RegistrySink;
import io.mizzen.spi.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link MeshDiscovery}: per-source lists, merged into an immutable view on each change. */
final class MergedDiscovery implements MeshDiscovery {
  private static final System.Logger LOG = System.getLogger(MergedDiscovery.class.getName());

  private final Map<String, List<ServiceInstance>> bySource = new LinkedHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile List<ServiceInstance> merged = List.of();
  private volatile Set<String> hosts = Set.of();
  private volatile long generation;

  @Override
  public RegistrySink sink(String source) {
    return instances -> replace(source, instances);
  }

  private void replace(String source, List<ServiceInstance> instances) {
    synchronized (this) {
      List<ServiceInstance> copy = List.copyOf(instances);
      if (copy.equals(bySource.get(source))) {
        return;
      }
      bySource.put(source, copy);
      List<ServiceInstance> all = new ArrayList<>();
      Set<String> names = new LinkedHashSet<>();
      bySource.values().forEach(list -> {
        all.addAll(list);
        list.forEach(i -> names.add(i.hostname()));
      });
      merged = List.copyOf(all);
      hosts = Set.copyOf(names);
      generation++;
    }
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        // One broken listener must not keep the others from the change.
        LOG.log(System.Logger.Level.ERROR, "a discovery listener failed", e);
      }
    }
  }

  @Override
  public List<ServiceInstance> instances() {
    return merged;
  }

  @Override
  public Set<String> hosts() {
    return hosts;
  }

  @Override
  public long generation() {
    return generation;
  }

  @Override
  public Runnable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
