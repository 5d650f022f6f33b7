package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen describe WORKLOAD [-n NS]}, as {@code istioctl x describe pod}: the workload, its
 * effective mTLS mode per inbound port and what decided it, the AuthorizationPolicies,
 * RequestAuthentications and rbac.istio.io roles that apply to it, its DestinationRules and the
 * VirtualServices routing to it. Exit 0, 1 for an unknown workload (with the control plane's
 * error), 2 when the control plane cannot be reached.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Describe a workload: its mTLS mode per port and the policies, rules and routes that apply to it.")
public final class DescribeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "A proxy id (as proxy-status lists it) or a service name.")
  String workload;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "default",
      description = "The service's namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Mixin
  ControlPlaneOption controlPlane;

  @Override
  public Integer call() throws InterruptedException {
    return controlPlane.show(spec, "describe", "/debug/describe?workload=" + ControlPlaneClient.encode(workload)
        + "&namespace=" + ControlPlaneClient.encode(namespace), (out, answer) -> {
          JsonArray workloads = answer.getJsonArray("workloads");
          for (int i = 0; i < workloads.size(); i++) {
            if (i > 0) {
              out.println("--------------------");
            }
            print(out, workloads.getJsonObject(i));
          }
        });
  }

  static void print(PrintWriter out, JsonObject w) {
    String proxy = w.getString("proxy", "");
    out.println("Workload: " + w.getString("service") + "." + w.getString("namespace")
        + (proxy.isEmpty() ? "" : " (proxy " + proxy + ")"));
    out.println("   Host: " + w.getString("hostname"));
    out.println("   Address: " + w.getString("address"));
    out.println("   Labels: " + labels(w.getJsonObject("labels")));
    out.println("   Service account: " + w.getString("serviceAccount"));
    JsonArray ports = w.getJsonArray("ports");
    if (ports.isEmpty()) {
      out.println("   Ports: none known (no registration in discovery)");
    }
    for (Object o : ports) {
      JsonObject p = (JsonObject) o;
      int port = p.getInteger("port");
      int own = p.getInteger("workloadPort");
      out.println("Port: " + port + "/" + p.getString("protocol")
          + (own != port ? " (workload port " + own + ")" : ""));
      out.println("   mTLS: " + p.getString("mtls") + " (" + p.getString("decidedBy") + ")");
    }
    JsonArray authz = w.getJsonArray("authorizationPolicies");
    if (authz.isEmpty()) {
      out.println("AuthorizationPolicies: none");
    } else {
      out.println("AuthorizationPolicies:" + (w.getBoolean("denyByDefault")
          ? " deny by default (an ALLOW policy selects it: requests no ALLOW rule matches are refused)" : ""));
      for (Object o : authz) {
        JsonObject a = (JsonObject) o;
        out.println("   " + a.getString("action") + " " + a.getString("namespace") + "/" + a.getString("name")
            + " (" + a.getString("selectedBy") + ", " + a.getInteger("rules") + (a.getInteger("rules") == 1 ? " rule)" : " rules)"));
      }
    }
    JsonArray authn = w.getJsonArray("requestAuthentications");
    if (!authn.isEmpty()) {
      out.println("RequestAuthentications:");
      for (Object o : authn) {
        JsonObject a = (JsonObject) o;
        out.println("   " + a.getString("namespace") + "/" + a.getString("name") + " (" + a.getString("selectedBy")
            + "), issuers: " + join(a.getJsonArray("issuers")));
      }
    }
    JsonObject rbac = w.getJsonObject("rbac");
    if (rbac.getBoolean("included", false)) {
      out.println("RBAC (rbac.istio.io): on for this workload (" + rbac.getString("config") + ", " + rbac.getString("mode")
          + ", " + rbac.getString("enforcementMode") + ")"
          + (rbac.getBoolean("overriddenByAuthorizationPolicy", false)
              ? "; not enforced: an AuthorizationPolicy selects the workload" : ""));
      JsonArray roles = rbac.getJsonArray("roles");
      if (roles.isEmpty()) {
        out.println("   no ServiceRole is bound to it: every request is refused");
      }
      for (Object o : roles) {
        JsonObject r = (JsonObject) o;
        out.println("   ServiceRole " + r.getString("role") + " bound by " + join(r.getJsonArray("bindings")));
      }
    } else if (rbac.containsKey("mode")) {
      out.println("RBAC (rbac.istio.io): off for this workload (" + rbac.getString("config") + ", "
          + rbac.getString("mode") + ")");
    }
    for (Object o : w.getJsonArray("destinationRules")) {
      JsonObject d = (JsonObject) o;
      out.println("DestinationRule: " + d.getString("name") + "." + d.getString("namespace")
          + " for \"" + d.getString("host") + "\"");
      JsonArray matching = d.getJsonArray("matchingSubsets");
      if (!d.getJsonArray("subsets").isEmpty()) {
        out.println("   Matching subsets: " + (matching.isEmpty() ? "none" : join(matching))
            + (matching.size() < d.getJsonArray("subsets").size()
                ? "   (Non-matching subsets " + nonMatching(d.getJsonArray("subsets"), matching) + ")" : ""));
      }
      String tls = d.getString("tlsMode", "");
      out.println("   Traffic Policy TLS Mode: " + (tls.isEmpty() ? "none" : tls));
    }
    if (w.getJsonArray("destinationRules").isEmpty()) {
      out.println("DestinationRule: none for \"" + w.getString("hostname") + "\"");
    }
    JsonArray vs = w.getJsonArray("virtualServices");
    if (vs.isEmpty()) {
      out.println("VirtualService: none routes to \"" + w.getString("hostname") + "\"");
    }
    for (Object o : vs) {
      JsonObject v = (JsonObject) o;
      out.println("VirtualService: " + v.getString("name") + "." + v.getString("namespace"));
      out.println("   Routes to: " + join(v.getJsonArray("destinations")));
    }
  }

  private static String nonMatching(JsonArray all, JsonArray matching) {
    List<Object> rest = all.stream().filter(s -> !matching.contains(s)).toList();
    return String.join(",", rest.stream().map(String::valueOf).toList());
  }

  private static String labels(JsonObject labels) {
    return labels.isEmpty() ? "none" : String.join(",", labels.fieldNames().stream().sorted()
        .map(k -> k + "=" + labels.getValue(k)).toList());
  }

  private static String join(JsonArray a) {
    return a == null ? "" : String.join(",", a.stream().map(String::valueOf).toList());
  }
}
