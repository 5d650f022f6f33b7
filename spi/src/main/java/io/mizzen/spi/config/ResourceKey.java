package io.mizzen.spi.config;

/**
 * The identity of a resource in the store: kind, namespace and name. The API version is not part
 * of it: {@code v1alpha3} and {@code v1beta1} of one VirtualService are the same resource.
 */
public record ResourceKey(String kind, String namespace, String name) {
  @Override
  public String toString() {
    return kind + "/" + namespace + "/" + name;
  }
}
