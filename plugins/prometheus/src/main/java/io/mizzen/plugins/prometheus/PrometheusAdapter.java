package io.mizzen.plugins.prometheus;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Istio's {@code prometheus} adapter. Handler params (camelCase or snake_case): {@code metrics}, a
 * list of {@code name}, {@code namespace} (default {@code istio}, so {@code requests_total} is
 * exposed as {@code istio_requests_total}), {@code instanceName}, {@code kind} (COUNTER, GAUGE,
 * DISTRIBUTION), {@code labelNames}, {@code buckets} (explicit, linear or exponential) and
 * {@code description}; {@code metricsExpirationPolicy} is accepted and not applied. All handlers
 * of this adapter share one registry, served on {@code http://<bind>:<port>/metrics}; the port is
 * the plugin setting {@code plugins.settings.prometheus.port} (Istio's 42422 by default; 0 picks
 * a free one, see {@link #port()}).
 */
@Extension
public class PrometheusAdapter implements MixerAdapter {
  /** Istio's Mixer prometheus adapter port. */
  public static final int DEFAULT_PORT = 42422;

  private final MetricRegistry registry = new MetricRegistry();
  private Future<HttpServer> server;

  @Override
  public String name() {
    return "prometheus";
  }

  @Override
  public Set<String> templates() {
    return Set.of("metric");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(camel(params));
    p.only("metrics", "metricsExpirationPolicy");
    List<MetricSpec> specs = MetricSpec.readAll(p);
    Map<String, MetricSpec> byInstance = new HashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      MetricSpec s = specs.get(i);
      MetricSpec before = byInstance.putIfAbsent(s.instanceName(), s);
      if (before != null && !s.instanceName().isEmpty()) {
        p.error("metrics[" + i + "].instanceName", s.instanceName() + " already feeds " + before.fullName());
      }
    }
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    AdapterParams p = AdapterParams.of(camel(params));
    // By instance name: the family and its position among this handler's, for the batch's tallies.
    Map<String, Slot> byInstance = new HashMap<>();
    try {
      for (MetricSpec s : MetricSpec.readAll(p)) {
        byInstance.put(s.instanceName(), new Slot(registry.register(s), byInstance.size()));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    int families = byInstance.size();
    return listen(context).map(s -> new Handler() {
      @Override
      public Future<Void> report(List<Instance> instances) {
        List<String> problems = new ArrayList<>();
        // The metrics of one request often share their dimensions (Mixer evaluates a shared
        // dimension map once): their series key is worked out once too.
        Map<?, ?> lastDimensions = null;
        List<String> lastLabels = null;
        MetricRegistry.LabelKey lastKey = null;
        // Per family, the values of the batch bound for one series, added to it under its lock
        // once (when the series changes, and at the end) rather than once per value.
        MetricRegistry.Tally[] open = new MetricRegistry.Tally[families];
        for (Instance i : instances) {
          Slot slot = byInstance.get(i.name());
          if (slot == null) {
            continue;
          }
          MetricRegistry.Family f = slot.family();
          Map<?, ?> dims = i.fields().get("dimensions") instanceof Map<?, ?> m ? m : Map.of();
          try {
            MetricRegistry.LabelKey key = dims == lastDimensions && f.labels == lastLabels ? lastKey : f.key(dims);
            double value = MetricRegistry.number(i.fields().get("value"));
            MetricRegistry.Tally t = open[slot.index()];
            if (t == null || !t.key.equals(key)) {
              if (t != null) {
                t.flush();
              }
              t = open[slot.index()] = f.tally(key);
            }
            t.add(value);
            lastDimensions = dims;
            lastLabels = f.labels;
            lastKey = key;
          } catch (IllegalArgumentException e) {
            problems.add(i.name() + ": " + e.getMessage());
          }
        }
        for (MetricRegistry.Tally t : open) {
          if (t != null) {
            t.flush();
          }
        }
        return problems.isEmpty() ? Future.succeededFuture()
            : Future.failedFuture(new IllegalArgumentException("prometheus: " + String.join("; ", problems)));
      }
    });
  }

  private record Slot(MetricRegistry.Family family, int index) {}

  /** The port {@code /metrics} is served on, or -1 before the first handler is built. */
  public synchronized int port() {
    return server != null && server.succeeded() ? server.result().actualPort() : -1;
  }

  /** The exposition text now (what {@code /metrics} serves). */
  public String scrape() {
    return registry.scrape();
  }

  private synchronized Future<HttpServer> listen(MeshContext context) {
    if (server == null || server.failed()) {
      Object configured = context.settings(name()).get("port");
      int port;
      try {
        port = configured == null ? DEFAULT_PORT : Integer.parseInt(configured.toString());
      } catch (NumberFormatException e) {
        return Future.failedFuture(new IllegalArgumentException(
            "plugins.settings.prometheus.port: must be a port number, not " + configured));
      }
      server = context.vertx().createHttpServer().requestHandler(req -> {
        if (!req.path().equals("/metrics")) {
          req.response().setStatusCode(404).end("only /metrics is served here\n");
          return;
        }
        req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
      }).listen(port, context.bindAddress()).recover(e -> Future.failedFuture(new IllegalStateException(
          "prometheus: cannot serve /metrics on " + context.bindAddress() + ":" + port + ": " + e.getMessage(), e)));
    }
    return server;
  }

  /** Istio's params are protobuf JSON: snake_case and camelCase both name a field. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> camel(Map<String, Object> raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(camelName(k), camelValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object camelValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return camel((Map<String, Object>) m);
    }
    if (v instanceof List<?> l) {
      return l.stream().map(PrometheusAdapter::camelValue).toList();
    }
    return v;
  }

  private static String camelName(String k) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : k.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }
}
