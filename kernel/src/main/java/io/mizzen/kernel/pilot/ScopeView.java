package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.wire.pilot.Item;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the proxies of one scope (namespace and Sidecar) see in one generation: its state (never
 * changed once made: proxies hold it as their acknowledged state) and the messages that bring a
 * proxy to it, in full or from a state it holds. Computed for the first proxy of the scope and
 * shared by the rest; used on the push server's context only.
 */
final class ScopeView {
  final Map<String, Resource> resources;
  final Map<String, ServiceInstance> instances;
  private final List<CatalogEntry<Resource>> resourceEntries;
  private final List<CatalogEntry<ServiceInstance>> instanceEntries;
  private PushSnapshot full;
  private byte[] fullEncoded;
  // Proxies of one scope that acked the same view get the same delta, computed once.
  private final Map<Map<String, Resource>, PushSnapshot> deltas = new IdentityHashMap<>();
  private final Map<PushSnapshot, byte[]> deltasEncoded = new IdentityHashMap<>();
  private final Map<Map<String, Resource>, Map<String, ServiceInstance>> deltaBases = new IdentityHashMap<>();

  private ScopeView(List<CatalogEntry<Resource>> resourceEntries, List<CatalogEntry<ServiceInstance>> instanceEntries) {
    this.resourceEntries = resourceEntries;
    this.instanceEntries = instanceEntries;
    Map<String, Resource> r = new LinkedHashMap<>();
    resourceEntries.forEach(e -> r.put(e.key(), e.value()));
    Map<String, ServiceInstance> i = new LinkedHashMap<>();
    instanceEntries.forEach(e -> i.put(e.key(), e.value()));
    this.resources = Collections.unmodifiableMap(r);
    this.instances = Collections.unmodifiableMap(i);
  }

  /** The view of {@code scope} over the catalog. */
  static ScopeView of(ProxyScope scope, Collection<CatalogEntry<Resource>> resources,
      Collection<CatalogEntry<ServiceInstance>> instances) {
    List<CatalogEntry<Resource>> r = new ArrayList<>();
    for (CatalogEntry<Resource> e : resources) {
      if (scope.visible(e.value())) {
        r.add(e);
      }
    }
    List<CatalogEntry<ServiceInstance>> i = new ArrayList<>();
    for (CatalogEntry<ServiceInstance> e : instances) {
      if (scope.visible(e.value())) {
        i.add(e);
      }
    }
    return new ScopeView(r, i);
  }

  /** Everything, for a proxy that holds nothing (version fields unset). */
  PushSnapshot full() {
    if (full == null) {
      PushSnapshot.Builder b = PushSnapshot.newBuilder();
      resourceEntries.forEach(e -> b.addResources(e.item()));
      instanceEntries.forEach(e -> b.addInstances(e.item()));
      full = b.build();
    }
    return full;
  }

  /**
   * {@code body}'s protobuf encoding, made once per view and body: a full snapshot is megabytes,
   * and every proxy of the scope is sent the same bytes.
   */
  byte[] encoded(PushSnapshot body) {
    if (body == full) {
      if (fullEncoded == null) {
        fullEncoded = full.toByteArray();
      }
      return fullEncoded;
    }
    return deltasEncoded.computeIfAbsent(body, PushSnapshot::toByteArray);
  }

  /** What changed from a state the proxy holds (version fields unset; empty when nothing did). */
  PushSnapshot deltaFrom(Map<String, Resource> heldResources, Map<String, ServiceInstance> heldInstances) {
    PushSnapshot cached = deltas.get(heldResources);
    if (cached != null && deltaBases.get(heldResources) == heldInstances) {
      return cached;
    }
    PushSnapshot.Builder delta = PushSnapshot.newBuilder();
    for (CatalogEntry<Resource> e : resourceEntries) {
      if (heldResources.get(e.key()) != e.value()) {
        delta.addResources(e.item());
      }
    }
    for (CatalogEntry<ServiceInstance> e : instanceEntries) {
      if (heldInstances.get(e.key()) != e.value()) {
        delta.addInstances(e.item());
      }
    }
    heldResources.keySet().stream().filter(k -> !resources.containsKey(k)).forEach(delta::addRemovedResources);
    heldInstances.keySet().stream().filter(k -> !instances.containsKey(k)).forEach(delta::addRemovedInstances);
    PushSnapshot built = delta.build();
    deltas.put(heldResources, built);
    deltaBases.put(heldResources, heldInstances);
    return built;
  }
}
