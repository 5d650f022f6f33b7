package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.mixer.ValueType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The templates Mixer knows, their fields and the variety of call they feed (check, quota,
 * report). Field names are matched ignoring case and underscores, because Istio's samples write
 * both {@code monitored_resource_type} and {@code monitoredResourceType}.
 */
public enum Template {
  CHECKNOTHING("checknothing", Variety.CHECK, Map.of()),
  LISTENTRY("listentry", Variety.CHECK, Map.of("value", Field.scalar(null))),
  AUTHORIZATION("authorization", Variety.CHECK, Map.of(
      "subject", Field.object(Map.of("user", Field.scalar(ValueType.STRING), "groups", Field.scalar(ValueType.STRING),
          "properties", Field.map())),
      "action", Field.object(Map.of("namespace", Field.scalar(ValueType.STRING), "service", Field.scalar(ValueType.STRING),
          "method", Field.scalar(ValueType.STRING), "path", Field.scalar(ValueType.STRING), "properties", Field.map())))),
  QUOTA("quota", Variety.QUOTA, Map.of("dimensions", Field.map())),
  METRIC("metric", Variety.REPORT, Map.of("value", Field.scalar(null), "dimensions", Field.map(),
      "monitored_resource_type", Field.scalar(ValueType.STRING), "monitored_resource_dimensions", Field.map())),
  LOGENTRY("logentry", Variety.REPORT, Map.of("variables", Field.map(), "timestamp", Field.scalar(ValueType.TIMESTAMP),
      "severity", Field.scalar(ValueType.STRING), "monitored_resource_type", Field.scalar(ValueType.STRING),
      "monitored_resource_dimensions", Field.map())),
  TRACESPAN("tracespan", Variety.REPORT, tracespanFields());

  /** Which Mixer call an instance of the template is dispatched on. */
  public enum Variety { CHECK, QUOTA, REPORT }

  /**
   * One template field: an expression ({@code type} null = any type), a map of expressions, or a
   * nested object.
   */
  public record Field(Shape shape, ValueType type, Map<String, Field> fields) {
    enum Shape { SCALAR, MAP, OBJECT }

    static Field scalar(ValueType type) {
      return new Field(Shape.SCALAR, type, Map.of());
    }

    static Field map() {
      return new Field(Shape.MAP, null, Map.of());
    }

    static Field object(Map<String, Field> fields) {
      return new Field(Shape.OBJECT, null, fields);
    }
  }

  private final String kind;
  private final Variety variety;
  private final Map<String, Field> fields;

  Template(String kind, Variety variety, Map<String, Field> fields) {
    this.kind = kind;
    this.variety = variety;
    this.fields = fields;
  }

  /** The name config uses ({@code compiledTemplate: metric}, {@code kind: metric}). */
  public String kind() {
    return kind;
  }

  public Variety variety() {
    return variety;
  }

  public Map<String, Field> fields() {
    return fields;
  }

  /** The template named {@code kind}, or null. */
  public static Template named(String kind) {
    for (Template t : values()) {
      if (t.kind.equals(kind)) {
        return t;
      }
    }
    return null;
  }

  /** Finds a field by name ignoring case and underscores; null when unknown. */
  static Map.Entry<String, Field> field(Map<String, Field> fields, String name) {
    String wanted = normal(name);
    for (Map.Entry<String, Field> e : fields.entrySet()) {
      if (normal(e.getKey()).equals(wanted)) {
        return e;
      }
    }
    return null;
  }

  private static String normal(String s) {
    return s.replace("_", "").toLowerCase(Locale.ROOT);
  }

  private static Map<String, Field> tracespanFields() {
    Map<String, Field> m = new LinkedHashMap<>();
    for (String s : new String[] {"trace_id", "span_id", "parent_span_id", "span_name", "source_name",
        "destination_name", "api_protocol"}) {
      m.put(s, Field.scalar(ValueType.STRING));
    }
    m.put("start_time", Field.scalar(ValueType.TIMESTAMP));
    m.put("end_time", Field.scalar(ValueType.TIMESTAMP));
    m.put("span_tags", Field.map());
    m.put("http_status_code", Field.scalar(ValueType.INT64));
    m.put("client_span", Field.scalar(ValueType.BOOL));
    m.put("rewrite_client_span_id", Field.scalar(ValueType.BOOL));
    m.put("source_ip", Field.scalar(ValueType.IP_ADDRESS));
    m.put("destination_ip", Field.scalar(ValueType.IP_ADDRESS));
    for (String s : new String[] {"request_size", "request_total_size", "response_size", "response_total_size"}) {
      m.put(s, Field.scalar(ValueType.INT64));
    }
    return m;
  }
}
