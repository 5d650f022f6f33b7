package io.mizzen.proxy;

import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.proxy.route.RouteTable;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A running Mizzen proxy: HTTP listeners on Vert.x's own event loops, routing by the last
 * snapshot applied. The kernel hosts it through {@link ProxyFunction}; tests start it directly.
 */
public interface MeshProxy {

  /**
   * Starts a proxy with the listeners the options ask for.
   *
   * @return a Future completed once every listener is bound, or failed naming the port that
   *     could not be bound
   */
  static Future<MeshProxy> start(Vertx vertx, ProxyOptions options) {
    return ProxyEngine.start(vertx, options);
  }

  /**
   * The transport the proxy is fastest on here: io_uring when this kernel and runtime allow it,
   * Java NIO otherwise. The proxy runs on whatever its Vert.x was built with; the kernel chooses
   * by its settings ({@code transport}, default auto, the same choice), and the benchmarks and tests
   * build their Vert.x on it ({@link #vertx}).
   */
  static io.vertx.core.transport.Transport fastestTransport() {
    io.vertx.core.transport.Transport ioUring = io.vertx.core.transport.Transport.IO_URING;
    return ioUring != null && ioUring.available() ? ioUring : io.vertx.core.transport.Transport.NIO;
  }

  /** A Vert.x with {@code options} on {@link #fastestTransport()}, as the kernel's default builds it. */
  static Vertx vertx(io.vertx.core.VertxOptions options) {
    return Vertx.builder().with(options).withTransport(fastestTransport()).build();
  }

  /**
   * Compiles a snapshot and swaps it in; requests in flight finish on the table they started with.
   *
   * @return a Future completed once the snapshot is in force, or failed naming what could not be
   *     compiled, in which case the previous snapshot stays in force
   */
  Future<Void> apply(ProxySnapshot snapshot);

  /** Whether a first snapshot has been applied. */
  boolean ready();

  /** The version of the snapshot in force, empty before the first. */
  String version();

  /** The bound outbound port, -1 when that listener is off. */
  int outboundPort();

  /** The bound inbound port, -1 when that listener is off. */
  int inboundPort();

  /**
   * The port a Gateway server port is bound on (an ingress or egress proxy binds one listener per
   * distinct server port of its Gateways), or -1 when it is not bound (no such server, turned off
   * in {@link ProxyOptions.GatewayListeners}, or the bind failed, which is logged).
   */
  int gatewayPort(int serverPort);

  /** Every bound gateway listener: Gateway server port → the port actually bound. */
  java.util.Map<Integer, Integer> gatewayPorts();

  /** Istio's TCP metrics of the TCP and TLS-passthrough routes. */
  io.mizzen.proxy.tcp.TcpStats tcpStats();

  /** Client connections open now, across listeners. */
  int connections();

  /** Request counters by response code and flag, for metrics. */
  io.mizzen.proxy.access.ProxyStats stats();

  /** Istio's request metrics, for {@code /stats/prometheus}; tell it the workload to label them. */
  io.mizzen.proxy.access.IstioMetrics metrics();

  /** The outbound route table in force, for {@code proxy-config routes}. */
  RouteTable routes();

  /**
   * Stops accepting, lets requests in flight finish within the drain period, then closes every
   * connection.
   *
   * @return a Future completed once every connection is closed or asked to close
   */
  Future<Void> close();
}
