package io.mizzen.kernel.inject.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RFC 6902 patch from one JSON document to another. Maps are diffed key by key; a changed list
 * is replaced whole, which is what an injected pod needs (containers, volumes) and keeps the
 * patch valid whatever order the API server's defaulting gave the list.
 */
final class JsonPatch {

  private JsonPatch() {}

  static JsonArray diff(Map<String, Object> before, Map<String, Object> after) {
    JsonArray ops = new JsonArray();
    diffMaps("", before, after, ops);
    return ops;
  }

  @SuppressWarnings("unchecked")
  private static void diffMaps(String path, Map<String, Object> before, Map<String, Object> after, JsonArray ops) {
    for (Map.Entry<String, Object> e : before.entrySet()) {
      if (!after.containsKey(e.getKey())) {
        ops.add(op("remove", path + "/" + escape(e.getKey()), null));
      }
    }
    for (Map.Entry<String, Object> e : after.entrySet()) {
      String at = path + "/" + escape(e.getKey());
      Object old = before.get(e.getKey());
      Object now = e.getValue();
      if (!before.containsKey(e.getKey())) {
        ops.add(op("add", at, now));
      } else if (old instanceof Map && now instanceof Map) {
        diffMaps(at, (Map<String, Object>) old, (Map<String, Object>) now, ops);
      } else if (!Objects.equals(old, now)) {
        ops.add(op("replace", at, now));
      }
    }
  }

  private static JsonObject op(String op, String path, Object value) {
    JsonObject o = new JsonObject().put("op", op).put("path", path);
    if (!op.equals("remove")) {
      o.put("value", value instanceof List<?> l ? new JsonArray(l) : value);
    }
    return o;
  }

  /** RFC 6901: '~' and '/' inside a key (annotation names have '/'). */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
