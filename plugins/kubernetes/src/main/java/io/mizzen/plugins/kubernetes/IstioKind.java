package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Istio custom resource kind the config source watches, as its CRD in ops/kubernetes/crds.yaml
 * names it.
 *
 * @param group such as {@code networking.istio.io}
 * @param version the served version read, such as {@code v1alpha3}
 * @param kind such as {@code VirtualService}
 * @param plural the resource name in API paths, such as {@code virtualservices}
 */
record IstioKind(String group, String version, String kind, String plural) {

  /** Networking, security and Mixer's kinds: what Mizzen serves. */
  static final List<IstioKind> WATCHED = watched();

  String apiVersion() {
    return group + "/" + version;
  }

  ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
        .withPlural(plural).withNamespaced(true).build();
  }

  /** The API path of one object, used as its origin in the config store. */
  String path(String namespace, String name) {
    return "/apis/" + group + "/" + version + "/namespaces/" + namespace + "/" + plural + "/" + name;
  }

  private static IstioKind of(String group, String version, String kind) {
    String lower = kind.toLowerCase(Locale.ROOT);
    String plural = lower.endsWith("s") ? lower + "es"
        : lower.endsWith("y") ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
    return new IstioKind(group, version, kind, plural);
  }

  private static List<IstioKind> watched() {
    List<IstioKind> kinds = new ArrayList<>();
    for (String k : List.of("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar")) {
      kinds.add(of("networking.istio.io", "v1alpha3", k));
    }
    for (String k : List.of("PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication")) {
      kinds.add(of("security.istio.io", "v1beta1", k));
    }
    // Mixer's generic kinds and the legacy per-adapter and per-template kinds it still serves.
    for (String k : List.of("rule", "handler", "instance", "attributemanifest", "adapter", "template",
        "QuotaSpec", "QuotaSpecBinding", "HTTPAPISpec", "HTTPAPISpecBinding",
        "denier", "listchecker", "memquota", "quota", "listentry", "checknothing", "metric", "logentry",
        "prometheus", "stdio")) {
      kinds.add(of("config.istio.io", "v1alpha2", k));
    }
    return List.copyOf(kinds);
  }
}
