package io.mizzen.proxy.access;

import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Istio's standard request metrics ({@code istio_requests_total},
 * {@code istio_request_duration_milliseconds}, {@code istio_request_bytes},
 * {@code istio_response_bytes}) in the Prometheus text format. The hot path only finds a series by
 * a small key (listener, cluster, peer, code, flags) and bumps adders; label values are worked out
 * when Prometheus scrapes.
 *
 * <p>Who the peer is travels in the {@link #PEER_HEADER} the source sidecar adds (Istio 1.4's
 * sidecars did the same with {@code x-istio-attributes}): the destination sidecar reads it for the
 * source labels, and Mixer's {@code source.*} attributes.
 */
public final class IstioMetrics {
  /**
   * The request header carrying the calling workload:
   * {@code workload;app;version;namespace;principal;service;labels}, labels as {@code k=v,k=v}
   * (what Istio's Mixer learnt from the pod through kubernetesenv: {@code source.labels}).
   */
  public static final String PEER_HEADER = "x-mizzen-peer";

  private static final double[] BUCKETS_MS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000};
  private static final String TRUST_DOMAIN = "cluster.local";

  private final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();
  private volatile Peer self = Peer.UNKNOWN;
  private volatile String selfHeader;

  /** The workload this proxy stands beside: destination labels inbound, source labels outbound. */
  public void identify(WorkloadInfo workload) {
    Peer peer = Peer.of(workload);
    self = peer;
    selfHeader = peer.encode() + ";" + encodeLabels(workload.labels());
  }

  /** The {@link #PEER_HEADER} value to send upstream, null before {@link #identify}. */
  public String peerHeader() {
    return selfHeader;
  }

  /**
   * Counts one finished exchange.
   *
   * @param listener {@code inbound} (destination reporter), {@code outbound} or a gateway server
   * @param cluster the cluster it went to, {@code -} when none was chosen
   * @param peer the caller's {@link #PEER_HEADER} (inbound), else null
   */
  public void record(String listener, String cluster, String peer, int status, int flags, long nanos,
      long requestBytes, long responseBytes) {
    record(listener, cluster, peer, false, status, flags, nanos, requestBytes, responseBytes);
  }

  /**
   * Counts one finished exchange, saying whether it came over mutual TLS (inbound only); then the
   * peer's principal is the one its certificate proved.
   */
  public void record(String listener, String cluster, String peer, boolean mutualTls, int status, int flags,
      long nanos, long requestBytes, long responseBytes) {
    Series s = series.computeIfAbsent(new SeriesKey(listener, cluster, peer, mutualTls, status, flags),
        k -> new Series());
    s.count.increment();
    double ms = nanos / 1e6;
    s.sumMicros.add(nanos / 1000);
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      if (ms <= BUCKETS_MS[i]) {
        s.buckets[i].increment();
        break;
      }
    }
    s.requestBytes.add(requestBytes);
    s.responseBytes.add(responseBytes);
  }

  /** Everything counted so far in the Prometheus text exposition format (version 0.0.4). */
  public String render() {
    StringBuilder total = new StringBuilder("# TYPE istio_requests_total counter\n");
    StringBuilder duration = new StringBuilder("# TYPE istio_request_duration_milliseconds histogram\n");
    StringBuilder reqBytes = new StringBuilder("# TYPE istio_request_bytes summary\n");
    StringBuilder respBytes = new StringBuilder("# TYPE istio_response_bytes summary\n");
    series.forEach((key, s) -> {
      String labels = labels(key);
      long count = s.count.sum();
      total.append("istio_requests_total{").append(labels).append("} ").append(count).append('\n');
      long cumulative = 0;
      for (int i = 0; i < BUCKETS_MS.length; i++) {
        cumulative += s.buckets[i].sum();
        duration.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"")
            .append(format(BUCKETS_MS[i])).append("\"} ").append(cumulative).append('\n');
      }
      duration.append("istio_request_duration_milliseconds_bucket{").append(labels).append(",le=\"+Inf\"} ")
          .append(count).append('\n');
      duration.append("istio_request_duration_milliseconds_sum{").append(labels).append("} ")
          .append(s.sumMicros.sum() / 1000.0).append('\n');
      duration.append("istio_request_duration_milliseconds_count{").append(labels).append("} ").append(count).append('\n');
      reqBytes.append("istio_request_bytes_sum{").append(labels).append("} ").append(s.requestBytes.sum()).append('\n');
      reqBytes.append("istio_request_bytes_count{").append(labels).append("} ").append(count).append('\n');
      respBytes.append("istio_response_bytes_sum{").append(labels).append("} ").append(s.responseBytes.sum()).append('\n');
      respBytes.append("istio_response_bytes_count{").append(labels).append("} ").append(count).append('\n');
    });
    return total.append(duration).append(reqBytes).append(respBytes).toString();
  }

  private String labels(SeriesKey key) {
    boolean inbound = "inbound".equals(key.listener());
    Peer me = self;
    Peer source;
    Peer destination;
    String service;
    String policy;
    if (inbound) {
      source = Peer.decode(key.peer());
      destination = me;
      service = me.service() == null ? "unknown" : me.service() + "." + me.namespace() + ".svc." + TRUST_DOMAIN;
      policy = key.mutualTls() ? "mutual_tls" : "none";
      if (key.mutualTls() && source.principal() != null && !source.principal().startsWith("spiffe://")) {
        // Istio's label is the SPIFFE URI the certificate carried; Mixer's source.principal is not.
        source = new Peer(source.service(), source.workload(), source.app(), source.version(), source.namespace(),
            "spiffe://" + source.principal());
      }
    } else {
      source = me;
      service = serviceOf(key.cluster());
      destination = Peer.fromCluster(key.cluster(), service);
      policy = "unknown";
    }
    StringBuilder b = new StringBuilder(512);
    label(b, "reporter", inbound ? "destination" : "source");
    label(b, "source_workload", source.workload());
    label(b, "source_workload_namespace", source.namespace());
    label(b, "source_app", source.app());
    label(b, "source_version", source.version());
    label(b, "source_principal", source.principal());
    label(b, "destination_workload", destination.workload());
    label(b, "destination_workload_namespace", destination.namespace());
    label(b, "destination_app", destination.app());
    label(b, "destination_version", destination.version());
    label(b, "destination_principal", destination.principal());
    label(b, "destination_service", service);
    int dot = service.indexOf('.');
    label(b, "destination_service_name", dot < 0 ? service : service.substring(0, dot));
    label(b, "destination_service_namespace", destination.namespace());
    label(b, "request_protocol", "http");
    label(b, "response_code", Integer.toString(key.status()));
    label(b, "response_flags", key.flags() == 0 ? "-" : ResponseFlag.render(key.flags()));
    label(b, "connection_security_policy", policy);
    b.setLength(b.length() - 1);
    return b.toString();
  }

  private static void label(StringBuilder b, String name, String value) {
    b.append(name).append("=\"");
    String v = value == null || value.isEmpty() ? "unknown" : value;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c == '\n' ? ' ' : c);
    }
    b.append("\",");
  }

  /** {@code outbound|9080|v1|reviews.default.svc.cluster.local} → its host. */
  private static String serviceOf(String cluster) {
    if (cluster == null || cluster.equals("-")) {
      return "unknown";
    }
    int bar = cluster.lastIndexOf('|');
    return bar < 0 ? cluster : cluster.substring(bar + 1);
  }

  private static String format(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private record SeriesKey(String listener, String cluster, String peer, boolean mutualTls, int status, int flags) {}

  private static final class Series {
    final LongAdder count = new LongAdder();
    final LongAdder sumMicros = new LongAdder();
    final LongAdder requestBytes = new LongAdder();
    final LongAdder responseBytes = new LongAdder();
    final LongAdder[] buckets = new LongAdder[BUCKETS_MS.length];

    Series() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  /**
   * The {@link #PEER_HEADER} value with its principal replaced by one a certificate proved (the
   * header's own principal is only the caller's claim); {@code header} may be null.
   */
  public static String withPrincipal(String header, String principal) {
    Peer p = Peer.decode(header);
    String labels = header == null ? null : Peer.at(header.split(";", -1), 6);
    return new Peer(p.service(), p.workload(), p.app(), p.version(), p.namespace(), principal).encode()
        + (labels == null ? "" : ";" + labels);
  }

  /** Labels as the header's last field carries them: {@code k=v,k=v}, sorted. */
  static String encodeLabels(Map<String, String> labels) {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(labels).forEach((k, v) -> {
      if (k.indexOf(',') < 0 && k.indexOf('=') < 0 && k.indexOf(';') < 0 && v.indexOf(',') < 0 && v.indexOf(';') < 0) {
        b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v);
      }
    });
    return b.toString();
  }

  /** The labels field of a {@link #PEER_HEADER} value split on {@code ;}, or an empty map. */
  public static Map<String, String> peerLabels(String[] fields) {
    String encoded = Peer.at(fields, 6);
    if (encoded == null) {
      return Map.of();
    }
    Map<String, String> labels = new java.util.HashMap<>();
    for (String pair : encoded.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        labels.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return labels;
  }

  /** A workload as the metrics label it; fields may be null (rendered {@code unknown}). */
  record Peer(String service, String workload, String app, String version, String namespace, String principal) {
    static final Peer UNKNOWN = new Peer(null, null, null, null, null, null);

    static Peer of(WorkloadInfo w) {
      String app = w.labels().getOrDefault("app", w.service());
      String version = w.labels().get("version");
      String workload = app == null ? null : version == null ? app : app + "-" + version;
      return new Peer(w.service(), workload, app, version, w.namespace(),
          TRUST_DOMAIN + "/ns/" + w.namespace() + "/sa/" + w.serviceAccount());
    }

    String encode() {
      return String.join(";", nz(workload), nz(app), nz(version), nz(namespace), nz(principal), nz(service));
    }

    static Peer decode(String header) {
      if (header == null || header.isEmpty()) {
        return UNKNOWN;
      }
      String[] p = header.split(";", -1);
      return new Peer(at(p, 5), at(p, 0), at(p, 1), at(p, 2), at(p, 3), at(p, 4));
    }

    /** The destination as the source sees it: the service's app, the subset as its version. */
    static Peer fromCluster(String cluster, String service) {
      if ("unknown".equals(service)) {
        return UNKNOWN;
      }
      String[] parts = cluster.split("\\|", -1);
      String subset = parts.length == 4 && !parts[2].isEmpty() ? parts[2] : null;
      String[] host = service.split("\\.");
      String app = host[0];
      String ns = host.length > 2 && "svc".equals(host[2]) ? host[1] : null;
      return new Peer(app, subset == null ? null : app + "-" + subset, app, subset, ns, null);
    }

    static String at(String[] p, int i) {
      return i < p.length && !p[i].isEmpty() ? p[i] : null;
    }

    private static String nz(String s) {
      return s == null ? "" : s.replace(';', '_');
    }
  }
}
