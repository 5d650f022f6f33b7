package io.mizzen.proxy.tcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Istio's TCP metrics, by destination cluster: connections opened and closed, bytes sent
 * (client → upstream) and received (upstream → client), plus the open count that
 * {@code connectionPool.tcp.maxConnections} is held against. Rendered at scrape time.
 */
public final class TcpStats {
  private final Map<String, Series> series = new ConcurrentHashMap<>();

  /** The counters of one destination cluster. */
  public static final class Series {
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final AtomicInteger open = new AtomicInteger();

    public long opened() {
      return opened.sum();
    }

    public long closed() {
      return closed.sum();
    }

    public long sent() {
      return sent.sum();
    }

    public long received() {
      return received.sum();
    }
  }

  /** The series of a cluster, made on first use. */
  public Series of(String cluster) {
    Series s = series.get(cluster);
    return s != null ? s : series.computeIfAbsent(cluster, c -> new Series());
  }

  /** The Prometheus text of the four metrics ({@code reporter="destination"}: the gateway end). */
  public String render() {
    if (series.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    metric(out, "istio_tcp_connections_opened_total", "TCP connections opened", s -> s.opened());
    metric(out, "istio_tcp_connections_closed_total", "TCP connections closed", s -> s.closed());
    metric(out, "istio_tcp_sent_bytes_total", "bytes sent to the destination over TCP", s -> s.sent());
    metric(out, "istio_tcp_received_bytes_total", "bytes received from the destination over TCP", s -> s.received());
    return out.toString();
  }

  private void metric(StringBuilder out, String name, String help, java.util.function.ToLongFunction<Series> value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    series.forEach((cluster, s) -> {
      String[] parts = cluster.split("\\|", -1);
      String service = parts.length == 4 ? parts[3] : cluster;
      out.append(name).append("{reporter=\"source\",destination_service=\"").append(escape(service))
          .append("\",destination_cluster=\"").append(escape(cluster)).append("\"} ")
          .append(value.applyAsLong(s)).append('\n');
    });
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
