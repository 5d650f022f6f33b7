package io.mizzen.spi.config.networking;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.bind.SpecBinder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Typed views of {@code networking.istio.io} resources. Each method binds the resource's spec
 * strictly and returns the record with every error found, keyed by field path from {@code spec}.
 */
public interface NetworkingModel {

  /** The API group. */
  String GROUP = "networking.istio.io";

  /** The versions read; all share one schema here. */
  Set<String> VERSIONS = Set.of("v1alpha3", "v1beta1", "v1");

  /** The spec record of each kind of the group. */
  Map<String, Class<? extends Record>> KINDS = Map.of(
      "VirtualService", VirtualService.class,
      "DestinationRule", DestinationRule.class,
      "Gateway", Gateway.class,
      "ServiceEntry", ServiceEntry.class,
      "Sidecar", Sidecar.class);

  /** Binds a VirtualService. */
  static Bound<VirtualService> virtualService(Resource resource) {
    return bind(resource, VirtualService.class);
  }

  /** Binds a DestinationRule. */
  static Bound<DestinationRule> destinationRule(Resource resource) {
    return bind(resource, DestinationRule.class);
  }

  /** Binds a Gateway. */
  static Bound<Gateway> gateway(Resource resource) {
    return bind(resource, Gateway.class);
  }

  /** Binds a ServiceEntry. */
  static Bound<ServiceEntry> serviceEntry(Resource resource) {
    return bind(resource, ServiceEntry.class);
  }

  /** Binds a Sidecar. */
  static Bound<Sidecar> sidecar(Resource resource) {
    return bind(resource, Sidecar.class);
  }

  /** The spec record of {@code kind} in this group, if it is one of it. */
  static Optional<Class<? extends Record>> specType(String kind) {
    return Optional.ofNullable(KINDS.get(kind));
  }

  /**
   * Binds {@code resource}'s spec to {@code type}; an error (and no value) when the resource is
   * not of the kind that {@code type} models.
   */
  static <T extends Record> Bound<T> bind(Resource resource, Class<T> type) {
    Class<? extends Record> expected = KINDS.get(resource.kind());
    if (expected != type) {
      return new Bound<>(null, List.of(new ConfigError("kind",
          resource.kind() + " cannot be read as a " + type.getSimpleName())));
    }
    return SpecBinder.strict().bind(resource.spec(), type, "spec");
  }
}
