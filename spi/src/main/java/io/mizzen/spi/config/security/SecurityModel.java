package io.mizzen.spi.config.security;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.bind.SpecBinder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed views of Istio's security resources, bound strictly like the networking ones. */
public interface SecurityModel {

  /** The spec record of each security kind, keyed by API group then kind. */
  Map<String, Map<String, Class<? extends Record>>> KINDS = Map.of(
      "security.istio.io", Map.of(
          "PeerAuthentication", PeerAuthentication.class,
          "AuthorizationPolicy", AuthorizationPolicy.class,
          "RequestAuthentication", RequestAuthentication.class),
      "authentication.istio.io", Map.of(
          "Policy", AuthenticationPolicy.class,
          "MeshPolicy", AuthenticationPolicy.class),
      "rbac.istio.io", Map.of(
          "ServiceRole", ServiceRole.class,
          "ServiceRoleBinding", ServiceRoleBinding.class,
          "ClusterRbacConfig", RbacConfig.class,
          "RbacConfig", RbacConfig.class));

  /** The spec record of {@code kind} in {@code group}, if it is a security kind. */
  static Optional<Class<? extends Record>> specType(String group, String kind) {
    return Optional.ofNullable(KINDS.getOrDefault(group, Map.of()).get(kind));
  }

  /**
   * Binds {@code resource}'s spec to {@code type}; an error (and no value) when the resource is
   * not of a kind that {@code type} models.
   */
  static <T extends Record> Bound<T> bind(Resource resource, Class<T> type) {
    if (specType(resource.group(), resource.kind()).orElse(null) != type) {
      return new Bound<>(null, List.of(new ConfigError("kind",
          resource.kind() + " cannot be read as a " + type.getSimpleName())));
    }
    return SpecBinder.strict().bind(resource.spec(), type, "spec");
  }
}
