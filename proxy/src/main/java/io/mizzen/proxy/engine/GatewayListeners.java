package io.mizzen.proxy.engine;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.gateway.GatewayPort;
import io.mizzen.proxy.gateway.GatewayServer;
import io.mizzen.proxy.gateway.SniRouter;
import io.mizzen.proxy.tcp.L4Route;
import io.mizzen.proxy.tcp.TcpRelay;
import io.mizzen.proxy.tcp.TcpStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The listeners of an ingress or egress proxy's Gateways: one per distinct server port, added
 * and removed as snapshots change while the others keep serving. A connection reads the port's
 * state (servers, TLS contexts, routes) when it is accepted, so a new snapshot applies to new
 * connections at once and never disturbs those already open.
 */
final class GatewayListeners {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.gateway");
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** What one port serves under the snapshot in force. */
  record PortState(GatewayPort port, Map<GatewayServer, SslContext> contexts) {}

  /** A bound listener. */
  private record Bound(int bindPort, Channel server, AtomicReference<PortState> state) {}

  private final ProxyServer proxy;
  private final ProxyOptions options;
  private final ChannelFactory<? extends Channel> clientChannels;
  private final TcpStats tcpStats;
  private final Map<Integer, Bound> bound = new HashMap<>();
  private final Map<Integer, String> failed = new HashMap<>();
  private Future<Void> work = Future.succeededFuture();

  GatewayListeners(ProxyServer proxy, ProxyOptions options, ChannelFactory<? extends Channel> clientChannels,
      TcpStats tcpStats) {
    this.proxy = proxy;
    this.options = options;
    this.clientChannels = clientChannels;
    this.tcpStats = tcpStats;
  }

  /**
   * Brings the listeners in line with a snapshot's ports: new ports are bound, gone ones closed
   * (their open connections finish), the others get the new state. Calls are serialized.
   *
   * @return completes once every new port is bound or has failed to (logged, and
   *     {@link #boundPort} answers -1 for it); never fails
   */
  synchronized Future<Void> reconcile(Map<Integer, GatewayPort> ports, Map<GatewayServer, SslContext> contexts) {
    work = work.transform(ignored -> apply(ports, contexts));
    return work;
  }

  private Future<Void> apply(Map<Integer, GatewayPort> ports, Map<GatewayServer, SslContext> contexts) {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (bound) {
      for (Map.Entry<Integer, Bound> e : new ArrayList<>(bound.entrySet())) {
        if (!ports.containsKey(e.getKey())) {
          LOG.log(System.Logger.Level.INFO, "gateway listener for port " + e.getKey() + " (bound on "
              + e.getValue().bindPort() + ") closed: no Gateway server uses it any more");
          closing.add(ProxyServer.closed(e.getValue().server()));
          bound.remove(e.getKey());
        }
      }
    }
    // The dropped ports are closed before the snapshot counts as applied (and before any port is
    // bound, so one bound again at once on a fixed port finds it free).
    return Future.join(closing).transform(ignored -> bindAndUpdate(ports, contexts));
  }

  /** Gives the kept ports the new state and binds the new ones. */
  private Future<Void> bindAndUpdate(Map<Integer, GatewayPort> ports, Map<GatewayServer, SslContext> contexts) {
    List<Future<Void>> binds = new ArrayList<>();
    synchronized (bound) {
      failed.keySet().retainAll(ports.keySet());
      for (GatewayPort p : ports.values()) {
        PortState state = new PortState(p, contexts);
        Bound b = bound.get(p.number());
        if (b != null) {
          b.state().set(state);
          continue;
        }
        int bindPort = options.gatewayListeners().bindPort(p.number());
        if (bindPort < 0 || (bindPort > 0 && bindPort == options.outboundPort())) {
          // Off, or the configured listener already serves this port's HTTP routes.
          continue;
        }
        AtomicReference<PortState> ref = new AtomicReference<>(state);
        ListenerSpec spec = ListenerSpec.gateway(p.number());
        binds.add(proxy.listen(spec.name(), bindPort, ch -> initChannel(ch, spec, ref.get()))
            .map(server -> {
              synchronized (bound) {
                bound.put(p.number(), new Bound(((InetSocketAddress) server.localAddress()).getPort(), server, ref));
                failed.remove(p.number());
              }
              return (Void) null;
            })
            .recover(e -> {
              synchronized (bound) {
                // Said once per port; each new snapshot tries the bind again.
                if (!e.getMessage().equals(failed.put(p.number(), e.getMessage()))) {
                  LOG.log(System.Logger.Level.WARNING, "Gateway server port " + p.number() + " not served: "
                      + e.getMessage() + " (plugins.settings.proxy.gatewayPorts maps it to another port)");
                }
              }
              return Future.succeededFuture();
            }));
      }
    }
    return Future.join(binds).mapEmpty();
  }

  /** The port a Gateway server port is bound on, or -1 when it is not. */
  int boundPort(int serverPort) {
    synchronized (bound) {
      Bound b = bound.get(serverPort);
      return b == null ? -1 : b.bindPort();
    }
  }

  /** Every bound listener: server port → bound port. */
  Map<Integer, Integer> boundPorts() {
    synchronized (bound) {
      Map<Integer, Integer> out = new java.util.TreeMap<>();
      bound.forEach((server, b) -> out.put(server, b.bindPort()));
      return out;
    }
  }

  /** Closes every gateway listener (open connections are the drain's). */
  /** Closes every listener: completes once none accepts. */
  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (bound) {
      bound.values().forEach(b -> closing.add(ProxyServer.closed(b.server())));
      bound.clear();
    }
    return Future.join(closing).mapEmpty();
  }

  private void initChannel(Channel ch, ListenerSpec spec, PortState state) {
    ChannelPipeline p = ch.pipeline();
    GatewayPort port = state.port();
    if (port.tlsPort()) {
      p.addLast(new SniRouter(port, HANDSHAKE_TIMEOUT_MILLIS, (ctx, sni, server) -> selected(ctx, sni, server, spec, state)));
    } else if (port.rawTcp()) {
      p.addLast(idle(), relay(ch, port.tcp(), port.number(), null));
    } else {
      proxy.httpPipeline(ch, spec);
    }
  }

  /** Puts what the chosen server needs after the SNI router, then the TLS handler (or nothing) in its place. */
  private void selected(ChannelHandlerContext ctx, String sni, GatewayServer server, ListenerSpec spec, PortState state) {
    Channel ch = ctx.channel();
    ChannelPipeline p = ctx.pipeline();
    List<ChannelHandler> after = new ArrayList<>();
    if (server.autoPassthrough()) {
      after.add(idle());
      // No TLS of the gateway's own: the client's mutual TLS goes through to the destination's sidecar.
      after.add(TcpRelay.forSni(state.port().sniClusters(), sni, d -> proxy.relays().to(d, false, false), clientChannels,
          tcpStats));
    } else if (server.passthrough()) {
      after.add(idle());
      after.add(relay(ch, state.port().tls(), state.port().number(), sni));
    } else if (!server.http()) {
      after.add(idle());
      after.add(relay(ch, state.port().tcp(), state.port().number(), sni));
    }
    SslContext context = state.contexts().get(server);
    if (server.istioMutual()) {
      // The workload certificate now (it rotates), and the mesh's roots for the client's.
      io.mizzen.proxy.tls.MeshTls mesh = proxy.meshTls();
      if (mesh == null) {
        LOG.log(System.Logger.Level.WARNING, server.where() + ": tls mode ISTIO_MUTUAL needs this gateway's workload "
            + "certificate (the citadel-agent plugin), and it has none; closing");
        ctx.close();
        return;
      }
      context = mesh.server();
      ch.attr(DownstreamHandler.MESH_CLIENT).set(Boolean.TRUE);
    }
    if (!server.passthrough() && context == null) {
      LOG.log(System.Logger.Level.WARNING, server.where() + ": no TLS context (mode " + server.tls() + "); closing");
      ctx.close();
      return;
    }
    String name = ctx.name();
    if (server.passthrough()) {
      ListenerPipelines.addAfter(ctx, after);
      // The buffered ClientHello goes on to the relay, untouched.
      p.remove(ctx.handler());
      return;
    }
    if (server.http()) {
      proxy.pipelines().httpAfterTls(ch, name, spec);
    } else {
      ListenerPipelines.addAfter(ctx, after);
    }
    p.replace(ctx.handler(), "tls", context.newHandler(ch.alloc()));
    io.mizzen.proxy.gateway.ClientCertificateCheck check = io.mizzen.proxy.gateway.ClientCertificateCheck.of(server.tls(), server.where());
    if (check != null) {
      // Right after TLS: it decides before anything that reads the handshake's end.
      p.addAfter("tls", null, check);
    }
  }

  private IdleTimeout idle() {
    return new IdleTimeout(options.idleTimeout().toMillis());
  }

  private ChannelHandler relay(Channel ch, List<L4Route> routes, int port, String sni) {
    InetSocketAddress local = (InetSocketAddress) ch.localAddress();
    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
    L4Route.Connection c = new L4Route.Connection(port, sni,
        local == null ? "" : local.getAddress().getHostAddress(),
        remote == null ? "" : remote.getAddress().getHostAddress(), options.sourceLabels());
    return TcpRelay.forConnection(routes, c, d -> proxy.relays().to(d, false), clientChannels, tcpStats);
  }
}
