package io.mizzen.kernel.inject.probe;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One original app probe (an {@code httpGet} of the pod spec) as kube-inject recorded it.
 *
 * @param host           target host; the kubelet's default (the pod IP) becomes 127.0.0.1 here,
 *                       since the agent shares the pod's network namespace
 * @param port           the app's port (named ports were resolved at injection)
 * @param path           request path
 * @param https          scheme HTTPS (certificates are not verified, as by the kubelet)
 * @param headers        httpHeaders of the probe
 * @param timeoutSeconds the probe's timeoutSeconds (Kubernetes' default 1)
 */
record AppProbe(String host, int port, String path, boolean https, Map<String, String> headers, int timeoutSeconds) {

  AppProbe {
    headers = Map.copyOf(headers);
  }

  static Map<String, AppProbe> parseAll(String json) {
    Map<String, AppProbe> probes = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return probes;
    }
    JsonObject all;
    try {
      all = new JsonObject(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(AppHealthProbes.ENV + " is not JSON: " + e.getMessage(), e);
    }
    for (String path : all.fieldNames()) {
      if (!path.startsWith(AppHealthProbes.PREFIX)) {
        throw new IllegalArgumentException(AppHealthProbes.ENV + "[" + path + "]: probe paths start with " + AppHealthProbes.PREFIX);
      }
      probes.put(path, parse(path, all.getValue(path)));
    }
    return probes;
  }

  private static AppProbe parse(String path, Object value) {
    String at = AppHealthProbes.ENV + "[" + path + "]";
    if (!(value instanceof JsonObject prober) || !(prober.getValue("httpGet") instanceof JsonObject get)) {
      throw new IllegalArgumentException(at + ".httpGet must be an object");
    }
    if (!(get.getValue("port") instanceof Number port) || port.intValue() < 1 || port.intValue() > 65535) {
      throw new IllegalArgumentException(at + ".httpGet.port must be a port number, got " + get.getValue("port"));
    }
    String scheme = get.getString("scheme", "HTTP");
    if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
      throw new IllegalArgumentException(at + ".httpGet.scheme must be HTTP or HTTPS, got " + scheme);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonArray hs = get.getJsonArray("httpHeaders", new JsonArray());
    for (int i = 0; i < hs.size(); i++) {
      JsonObject h = hs.getJsonObject(i);
      if (h.getString("name") == null) {
        throw new IllegalArgumentException(at + ".httpGet.httpHeaders[" + i + "].name is missing");
      }
      headers.put(h.getString("name"), h.getString("value", ""));
    }
    String host = get.getString("host", "");
    String p = get.getString("path", "/");
    return new AppProbe(host.isEmpty() ? "127.0.0.1" : host, port.intValue(), p.startsWith("/") ? p : "/" + p,
        scheme.equals("HTTPS"), headers, prober.getInteger("timeoutSeconds", 1));
  }

  /** Header names the kubelet would not forward as given (it sets Host from the header, though). */
  static final List<String> HOP_BY_HOP = List.of("connection", "content-length", "transfer-encoding");
}
