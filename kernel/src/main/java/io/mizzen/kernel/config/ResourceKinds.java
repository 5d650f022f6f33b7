package io.mizzen.kernel.config;

import io.mizzen.spi.config.kube.KubernetesService;
import io.mizzen.spi.config.networking.NetworkingModel;
import io.mizzen.spi.config.security.SecurityModel;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which apiVersion/kind pairs Mizzen serves, which it reads untyped (Mixer's), which it
 * passes over with a note (Kubernetes kinds and Istio kinds it does not serve, other API groups),
 * and which it refuses (an unsupported version of an Istio group, a kind no Istio group has).
 */
final class ResourceKinds {

  /** What to do with a document of some apiVersion and kind. */
  enum Treatment { TYPED, MIXER, SKIP, REFUSE }

  /**
   * The decision for one apiVersion/kind.
   *
   * @param treatment what to do
   * @param specType the spec record for TYPED kinds, else {@code null}
   * @param reason why for SKIP and REFUSE
   */
  record Decision(Treatment treatment, Class<? extends Record> specType, String reason) {}

  static final String MIXER_GROUP = "config.istio.io";

  /** Supported versions per Istio group. */
  static final Map<String, Set<String>> ISTIO_VERSIONS = Map.of(
      NetworkingModel.GROUP, NetworkingModel.VERSIONS,
      "security.istio.io", Set.of("v1beta1"),
      "authentication.istio.io", Set.of("v1alpha1"),
      "rbac.istio.io", Set.of("v1alpha1"),
      MIXER_GROUP, Set.of("v1alpha2"));

  /**
   * Mixer's kinds: the generic ones and the legacy per-adapter and per-template kinds. Other
   * lower-case kinds in {@code config.istio.io} are read too (third-party adapters had their own).
   */
  static final Set<String> MIXER_KINDS = Set.of(
      "handler", "instance", "rule", "attributemanifest", "adapter", "template", "QuotaSpec",
      "QuotaSpecBinding", "HTTPAPISpec", "HTTPAPISpecBinding", "denier", "listchecker", "memquota",
      "redisquota", "checknothing", "listentry", "quota", "metric", "logentry", "stdio", "prometheus",
      "kubernetesenv", "kubernetes", "rbac", "authorization", "tracespan", "apikey", "reportnothing",
      "edge", "fluentd", "statsd", "opa", "circonus", "cloudwatch", "dogstatsd", "signalfx",
      "stackdriver", "solarwinds", "zipkin", "bypass", "noop", "servicecontrol", "apikeys");

  /**
   * Kinds Istio defines in the typed groups that Mizzen passes over. Any other kind there is a
   * typo ({@code Virtualservice}, {@code Gateways}) and refused: passing it over with a note would
   * let {@code validate} call a broken file valid.
   */
  static final Map<String, Set<String>> UNSERVED_ISTIO_KINDS = Map.of(
      NetworkingModel.GROUP, Set.of("EnvoyFilter", "WorkloadEntry", "WorkloadGroup", "ProxyConfig"));

  private ResourceKinds() {}

  static Decision decide(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    Set<String> versions = ISTIO_VERSIONS.get(group);
    if (versions != null) {
      if (!versions.contains(version)) {
        return new Decision(Treatment.REFUSE, null, "unsupported apiVersion " + apiVersion
            + " (supported: " + String.join(", ", versions.stream().sorted().map(v -> group + "/" + v).toList()) + ")");
      }
      if (group.equals(MIXER_GROUP)) {
        boolean known = MIXER_KINDS.contains(kind) || Character.isLowerCase(kind.charAt(0));
        return known ? new Decision(Treatment.MIXER, null, null)
            : new Decision(Treatment.REFUSE, null, "unknown kind " + kind + " in " + apiVersion);
      }
      Optional<Class<? extends Record>> type = group.equals(NetworkingModel.GROUP)
          ? NetworkingModel.specType(kind) : SecurityModel.specType(group, kind);
      if (type.isPresent()) {
        return new Decision(Treatment.TYPED, type.get(), null);
      }
      if (UNSERVED_ISTIO_KINDS.getOrDefault(group, Set.of()).contains(kind)) {
        return new Decision(Treatment.SKIP, null, apiVersion + " " + kind + " is not served by Mizzen");
      }
      return new Decision(Treatment.REFUSE, null, "unknown kind " + kind + " in " + apiVersion + " (served: "
          + String.join(", ", new java.util.TreeSet<>(servedKinds(group))) + ")");
    }
    if (group.isEmpty() && version.equals("v1") && kind.equals("Service")) {
      return new Decision(Treatment.TYPED, KubernetesService.class, null);
    }
    if (!group.contains(".")) {
      return new Decision(Treatment.SKIP, null, "Kubernetes " + kind + " (" + apiVersion + ") is not served by Mizzen");
    }
    return new Decision(Treatment.SKIP, null, kind + " of API group " + group + " is not served by Mizzen");
  }

  /** The kinds Mizzen reads typed in an Istio group. */
  private static Set<String> servedKinds(String group) {
    return group.equals(NetworkingModel.GROUP) ? NetworkingModel.KINDS.keySet()
        : SecurityModel.KINDS.getOrDefault(group, Map.of()).keySet();
  }
}
