package io.mizzen.spi.config;

import java.util.Map;

/**
 * One Istio (or Kubernetes) resource as written by a user: its type, metadata and spec, untyped.
 * Typed views of the spec are built by the control plane after validation.
 *
 * @param apiVersion such as {@code networking.istio.io/v1alpha3}
 * @param kind such as {@code VirtualService}
 * @param name {@code metadata.name}
 * @param namespace {@code metadata.namespace}, {@code default} when absent
 * @param labels {@code metadata.labels}
 * @param annotations {@code metadata.annotations}
 * @param spec the {@code spec} (for Kubernetes kinds without a spec, the whole document less
 *     apiVersion, kind and metadata), as plain maps, lists, strings, numbers and booleans
 * @param location where it was read
 */
public record Resource(
    String apiVersion,
    String kind,
    String name,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    Map<String, Object> spec,
    SourceLocation location) {
  public Resource {
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    spec = spec == null ? Map.of() : spec;
  }

  /** This resource's identity in the store. */
  public ResourceKey key() {
    return new ResourceKey(kind, namespace, name);
  }

  /** The API group, such as {@code networking.istio.io}; empty for the core group. */
  public String group() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }
}
