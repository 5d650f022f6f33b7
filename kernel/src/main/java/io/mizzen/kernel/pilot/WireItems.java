package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form resources and instances take inside {@code pilot.proto}'s {@code Item}: the spec
 * as written, so a proxy binds it exactly as the control plane validated it.
 */
public final class WireItems {
  private WireItems() {}

  /** The key a resource travels under. */
  public static String key(Resource r) {
    return r.key().toString();
  }

  /** The key an instance travels under: one endpoint of one host from one source. */
  public static String key(ServiceInstance i) {
    return i.source() + "/" + i.hostname() + "/" + i.address() + "/" + i.labels().hashCode();
  }

  public static String encode(Resource r) {
    JsonObject o = new JsonObject()
        .put("apiVersion", r.apiVersion()).put("kind", r.kind()).put("name", r.name())
        .put("namespace", r.namespace())
        .put("labels", new JsonObject(new LinkedHashMap<>(r.labels())))
        .put("annotations", new JsonObject(new LinkedHashMap<>(r.annotations())))
        .put("spec", new JsonObject(r.spec()));
    if (r.location() != null) {
      o.put("location", new JsonObject().put("origin", r.location().origin())
          .put("document", r.location().documentIndex()).put("line", r.location().line()));
    }
    return o.encode();
  }

  /** The resource {@link #encode(Resource)} wrote, from its UTF-8 bytes. */
  public static Resource decodeResource(byte[] json) {
    JsonObject o = new JsonObject(Buffer.buffer(json));
    JsonObject loc = o.getJsonObject("location");
    return new Resource(o.getString("apiVersion"), o.getString("kind"), o.getString("name"),
        o.getString("namespace"), strings(o.getJsonObject("labels")), strings(o.getJsonObject("annotations")),
        o.getJsonObject("spec", new JsonObject()).getMap(),
        loc == null ? null : new SourceLocation(loc.getString("origin"), loc.getInteger("document", 0),
            loc.getInteger("line", 0)));
  }

  public static String encode(ServiceInstance i) {
    JsonArray ports = new JsonArray();
    i.ports().forEach(p -> ports.add(new JsonObject().put("name", p.name()).put("port", p.port())
        .put("targetPort", p.targetPort()).put("protocol", p.protocol())));
    return new JsonObject().put("service", i.service()).put("namespace", i.namespace())
        .put("hostname", i.hostname()).put("address", i.address()).put("ports", ports)
        .put("labels", new JsonObject(new LinkedHashMap<>(i.labels())))
        .put("serviceAccount", i.serviceAccount()).put("source", i.source()).encode();
  }

  /** The instance {@link #encode(ServiceInstance)} wrote, from its UTF-8 bytes. */
  public static ServiceInstance decodeInstance(byte[] json) {
    JsonObject o = new JsonObject(Buffer.buffer(json));
    List<ServicePort> ports = new ArrayList<>();
    o.getJsonArray("ports", new JsonArray()).forEach(x -> {
      JsonObject p = (JsonObject) x;
      ports.add(new ServicePort(p.getString("name"), p.getInteger("port"), p.getInteger("targetPort"),
          p.getString("protocol")));
    });
    return new ServiceInstance(o.getString("service"), o.getString("namespace"), o.getString("hostname"),
        o.getString("address"), ports, strings(o.getJsonObject("labels")), o.getString("serviceAccount"),
        o.getString("source"));
  }

  private static Map<String, String> strings(JsonObject o) {
    Map<String, String> m = new LinkedHashMap<>();
    if (o != null) {
      o.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return m;
  }
}
