package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen proxy-config routes|clusters|endpoints|listeners|secret PROXY}: what one proxy
 * holds, as it last acknowledged it: routes are its VirtualServices, clusters each host and subset
 * it may send to, endpoints its service instances, listeners its Gateways' servers and Sidecar's
 * ports; secret the workload certificate its agent reported serving and the roots it trusts, as
 * {@code istioctl proxy-config secret} shows them.
 */
@Command(name = "proxy-config", mixinStandardHelpOptions = true,
    description = "Show what one proxy holds: routes, clusters, endpoints, listeners or secret "
        + "(its workload certificate: serial, SAN, validity, and its roots).")
public final class ProxyConfigCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "routes|clusters|endpoints|listeners|secret")
  String what;

  @Parameters(index = "1", paramLabel = "PROXY", description = "A proxy id, as proxy-status lists it.")
  String proxy;

  @Mixin
  ControlPlaneOption controlPlane;

  @Override
  public Integer call() throws InterruptedException {
    if (!Map.of("routes", 1, "clusters", 1, "endpoints", 1, "listeners", 1, "secret", 1).containsKey(what)) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("mizzen proxy-config: '" + what + "' is not one of routes, clusters, endpoints, listeners, secret");
      err.flush();
      return 2;
    }
    return controlPlane.show(spec, "proxy-config", "/debug/proxy?id=" + ControlPlaneClient.encode(proxy),
        (out, holdings) -> {
          switch (what) {
            case "routes" -> routes(out, holdings);
            case "clusters" -> clusters(out, holdings);
            case "endpoints" -> endpoints(out, holdings);
            case "secret" -> secret(out, proxy, holdings, Instant.now());
            default -> listeners(out, holdings);
          }
        });
  }

  private static void routes(PrintWriter out, JsonObject h) {
    out.printf("%-40s %-15s %-45s %s%n", "NAME", "NAMESPACE", "HOSTS", "GATEWAYS");
    for (JsonObject r : kind(h, "VirtualService")) {
      JsonObject spec = r.getJsonObject("spec");
      out.printf("%-40s %-15s %-45s %s%n", r.getString("name"), r.getString("namespace"),
          join(spec.getJsonArray("hosts")), join(spec.getJsonArray("gateways")));
    }
  }

  private static void clusters(PrintWriter out, JsonObject h) {
    Map<String, String> clusters = new TreeMap<>();
    for (Object o : h.getJsonArray("instances")) {
      JsonObject i = (JsonObject) o;
      for (Object p : i.getJsonArray("ports", new JsonArray())) {
        clusters.putIfAbsent("outbound|" + ((JsonObject) p).getInteger("port") + "||" + i.getString("hostname"), "");
      }
    }
    for (JsonObject r : kind(h, "DestinationRule")) {
      JsonObject spec = r.getJsonObject("spec");
      String host = spec.getString("host");
      clusters.put("outbound|||" + host, "DestinationRule " + r.getString("namespace") + "/" + r.getString("name"));
      for (Object s : spec.getJsonArray("subsets", new JsonArray())) {
        clusters.put("outbound||" + ((JsonObject) s).getString("name") + "|" + host,
            "subset of " + r.getString("namespace") + "/" + r.getString("name"));
      }
    }
    out.printf("%-70s %s%n", "CLUSTER", "FROM");
    clusters.forEach((c, from) -> out.printf("%-70s %s%n", c, from));
  }

  private static void endpoints(PrintWriter out, JsonObject h) {
    out.printf("%-25s %-50s %-12s %s%n", "ENDPOINT", "HOST", "SOURCE", "LABELS");
    for (Object o : h.getJsonArray("instances")) {
      JsonObject i = (JsonObject) o;
      JsonArray ports = i.getJsonArray("ports", new JsonArray());
      String port = ports.isEmpty() ? "" : ":" + ports.getJsonObject(0).getInteger("targetPort");
      out.printf("%-25s %-50s %-12s %s%n", i.getString("address") + port, i.getString("hostname"),
          i.getString("source"), i.getJsonObject("labels").encode());
    }
  }

  private static void listeners(PrintWriter out, JsonObject h) {
    out.printf("%-30s %-10s %-10s %s%n", "FROM", "PORT", "PROTOCOL", "HOSTS");
    for (JsonObject g : kind(h, "Gateway")) {
      for (Object s : g.getJsonObject("spec").getJsonArray("servers", new JsonArray())) {
        JsonObject server = (JsonObject) s;
        JsonObject port = server.getJsonObject("port", new JsonObject());
        out.printf("%-30s %-10s %-10s %s%n", "Gateway " + g.getString("namespace") + "/" + g.getString("name"),
            port.getValue("number"), port.getString("protocol"), join(server.getJsonArray("hosts")));
      }
    }
    for (JsonObject s : kind(h, "Sidecar")) {
      JsonObject spec = s.getJsonObject("spec");
      for (String side : new String[] {"ingress", "egress"}) {
        for (Object l : spec.getJsonArray(side, new JsonArray())) {
          JsonObject listener = (JsonObject) l;
          JsonObject port = listener.getJsonObject("port", new JsonObject());
          out.printf("%-30s %-10s %-10s %s%n", "Sidecar " + side, port.getValue("number", "*"),
              port.getString("protocol", ""), join(listener.getJsonArray("hosts")));
        }
      }
    }
  }

  private static final String SECRET_ROW = "%-15s %-12s %-9s %-12s %-34s %-22s %-22s %s%n";

  /**
   * The workload certificate ({@code default}, Cert Chain) and each root ({@code ROOTCA}, CA):
   * STATUS is EXPIRED once {@code now} is past NOT AFTER, ACTIVE before; VALID CERT says whether
   * {@code now} lies within NOT BEFORE and NOT AFTER. A proxy that reported no certificate gets a
   * line saying so.
   */
  static void secret(PrintWriter out, String proxy, JsonObject h, Instant now) {
    JsonObject cert = h.getJsonObject("certificate");
    if (cert == null) {
      out.println("proxy " + proxy + " has no workload certificate: its agent reported none to Pilot "
          + "(mTLS is off for it: no Citadel, or no citadel-agent settings)");
      return;
    }
    out.printf(SECRET_ROW, "RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER",
        "NOT BEFORE", "SAN");
    secretRow(out, "default", "Cert Chain", cert, join(cert.getJsonArray("subjectAltNames")), now);
    for (Object o : cert.getJsonArray("roots", new JsonArray())) {
      JsonObject root = (JsonObject) o;
      secretRow(out, "ROOTCA", "CA", root, "-", now);
    }
  }

  private static void secretRow(PrintWriter out, String name, String type, JsonObject c, String san, Instant now) {
    Instant notBefore = Instant.parse(c.getString("notBefore"));
    Instant notAfter = Instant.parse(c.getString("notAfter"));
    boolean expired = now.isAfter(notAfter);
    boolean valid = !expired && !now.isBefore(notBefore);
    out.printf(SECRET_ROW, name, type, expired ? "EXPIRED" : "ACTIVE", valid, c.getString("serial"),
        notAfter.truncatedTo(ChronoUnit.SECONDS), notBefore.truncatedTo(ChronoUnit.SECONDS), san.isEmpty() ? "-" : san);
  }

  private static java.util.List<JsonObject> kind(JsonObject h, String kind) {
    return h.getJsonArray("resources").stream().map(JsonObject.class::cast)
        .filter(r -> kind.equals(r.getString("kind"))).toList();
  }

  private static String join(JsonArray a) {
    return a == null ? "" : String.join(",", a.stream().map(String::valueOf).toList());
  }
}
