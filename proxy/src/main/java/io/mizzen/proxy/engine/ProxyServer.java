package io.mizzen.proxy.engine;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.proxy.route.Route;
import io.mizzen.proxy.route.RouteTable;
import io.mizzen.proxy.route.SnapshotCompiler;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running proxy: listeners bound on Vert.x's Netty event loops, the snapshots going in force
 * ({@link SnapshotSwaps}, which keeps the route tables in force), one upstream pool per event
 * loop, the byte relays ({@link ByteRelays}), and the drain on close.
 */
final class ProxyServer implements MeshProxy {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy");

  private final VertxInternal vertx;
  private final ProxyOptions options;
  private final List<ProxyFilter> filters;
  private final ChannelFactory<? extends Channel> clientChannels;
  private final Map<EventExecutor, UpstreamPool> pools = new ConcurrentHashMap<>();
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final List<Channel> servers = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final TracePropagation tracing;
  private HealthChecker healthChecker;
  private final io.mizzen.proxy.access.ProxyStats stats = new io.mizzen.proxy.access.ProxyStats();
  private final io.mizzen.proxy.access.IstioMetrics metrics = new io.mizzen.proxy.access.IstioMetrics();
  private volatile boolean draining;
  private volatile Promise<Void> drained;
  private ListenerSpec outbound;
  private ListenerSpec inbound;
  private final io.mizzen.proxy.tls.MeshTls meshTls;
  private final io.mizzen.proxy.authz.InboundSecurity security;
  private final io.mizzen.proxy.tcp.TcpStats tcpStats = new io.mizzen.proxy.tcp.TcpStats();
  private final GatewayListeners gatewayListeners;
  private final ListenerPipelines pipelines;
  /** Snapshots going in force, and the route tables in force. */
  private final SnapshotSwaps swaps;
  /** Which TLS an upstream connection carries, for the HTTP pools and the byte relays alike. */
  private final UpstreamSecurity upstreamSecurity;
  private final ByteRelays relays;
  private static final RouteTable NO_GATEWAY_ROUTES = RouteTable.of("", List.of(), RouteTable.UnknownHosts.NOT_FOUND);

  ProxyServer(VertxInternal vertx, ProxyOptions options, List<ProxyFilter> extraFilters,
      io.mizzen.proxy.tls.MeshTls meshTls, String trustDomain, io.mizzen.proxy.authz.InboundSecurity security) {
    this.vertx = vertx;
    this.security = security;
    this.meshTls = meshTls;
    this.options = options;
    List<ProxyFilter> chain = new ArrayList<>();
    if (security != null) {
      // Istio's inbound: authentication and authorization before anything else acts on a request.
      chain.add(security.filter());
    }
    // Envoy's order: faults first (a delayed or aborted request costs nothing else), then CORS,
    // then extension filters; the route action runs after the chain.
    chain.add(new RouteFilters.FaultDelay());
    chain.add(new RouteFilters.FaultAbort());
    chain.add(new RouteFilters.Cors());
    chain.addAll(extraFilters);
    this.filters = List.copyOf(chain);
    this.clientChannels = vertx.transport().channelFactory(false);
    io.mizzen.proxy.tls.TlsOrigination origination = new io.mizzen.proxy.tls.TlsOrigination();
    this.upstreamSecurity = new UpstreamSecurity(meshTls, trustDomain, origination);
    this.relays = new ByteRelays(clientChannels, vertx.nameResolver().nettyAddressResolverGroup(), tcpStats,
        upstreamSecurity);
    this.tracing = new TracePropagation(options.openTelemetry());
    this.pipelines = new ListenerPipelines(this, options);
    this.gatewayListeners = new GatewayListeners(this, options, clientChannels, tcpStats);
    this.swaps = new SnapshotSwaps(vertx, options, security, origination,
        new GatewayCertificates(vertx, options.gatewayListeners().credentialsDir(), gatewayListeners), gatewayListeners,
        () -> draining);
  }

  /** Every byte relay the proxy makes, with the TLS its destination's cluster asks for. */
  ByteRelays relays() {
    return relays;
  }

  /**
   * Routes {@code host:port} on {@code listener} as a request with that authority would be (for a
   * CONNECT's target, or a captured connection that is not HTTP).
   */
  io.mizzen.proxy.route.RouteResult routeAuthority(ListenerSpec listener, String authority, int port, String sourceIp) {
    io.netty.handler.codec.http.HttpRequest probe = new io.netty.handler.codec.http.DefaultHttpRequest(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/");
    probe.headers().set(io.netty.handler.codec.http.HttpHeaderNames.HOST, authority);
    return table(listener).route(new io.mizzen.proxy.filter.RequestContext(probe, listener.name(), "http", port, sourceIp,
        options.sourceLabels(), gateways()));
  }

  /** The mesh VirtualServices' tcp/tls rules under the snapshot in force. */
  List<io.mizzen.proxy.route.MeshL4Route> meshL4Routes() {
    return swaps.compiled().meshL4();
  }

  /** The workload's mesh TLS, or {@code null} when the proxy has no certificate. */
  io.mizzen.proxy.tls.MeshTls meshTls() {
    return meshTls;
  }

  Future<MeshProxy> start() {
    List<Future<Void>> binds = new ArrayList<>();
    if (options.outboundPort() >= 0) {
      binds.add(bind("outbound", options.outboundPort(), true).map(port -> {
        outbound = new ListenerSpec("outbound", port, true);
        return null;
      }));
    }
    if (options.inboundPort() >= 0) {
      binds.add(bind("inbound", options.inboundPort(), false).map(port -> {
        inbound = new ListenerSpec("inbound", port, false);
        return null;
      }));
    }
    if (options.healthCheck() != null) {
      healthChecker = new HealthChecker(vertx, options.healthCheck(), () -> swaps.compiled().endpoints().values());
      healthChecker.start();
    }
    return Future.all(binds).map(this);
  }

  private Future<Integer> bind(String name, int port, boolean portFromAuthority) {
    // The spec's port is fixed up once bound; handlers (on other event loops) read it through the holder.
    java.util.concurrent.atomic.AtomicReference<ListenerSpec> spec =
        new java.util.concurrent.atomic.AtomicReference<>(new ListenerSpec(name, port, portFromAuthority));
    return listen(name, port, ch -> {
      if (meshTls != null && "inbound".equals(name)) {
        // Mutual TLS: h2 or HTTP/1.1 as ALPN chose; plain text: h2c or HTTP/1.1 by the first bytes.
        pipelines.meshInbound(ch, spec.get(), meshTls, security == null
            ? () -> io.mizzen.spi.config.security.PeerAuthentication.Mode.PERMISSIVE : security::mode);
        return;
      }
      httpPipeline(ch, spec.get());
    }).map(server -> {
      int bound = ((InetSocketAddress) server.localAddress()).getPort();
      spec.set(new ListenerSpec(name, bound, portFromAuthority));
      return bound;
    });
  }

  /**
   * How the inbound takes a connection to the app's {@code port}, by this workload's service port
   * there: {@code "http"}, {@code "tcp"}, or {@code null} when no protocol is declared for it.
   */
  String localProtocol(int port) {
    return swaps.compiled().localProtocols().get(port);
  }

  /**
   * Whether a connection the inbound relays as bytes may reach the app (its AuthorizationPolicies
   * as Istio holds TCP to them); null when it may, else why not.
   */
  String refusesInboundConnection(io.mizzen.proxy.authz.RequestView connection) {
    if (security == null) {
      return null;
    }
    io.mizzen.proxy.authz.Decision d = security.authorizeConnection(connection);
    return d.allowed() ? null : d.reason();
  }

  /** How connections' pipelines are built (HTTP/1.1, h2c, h2 by ALPN). */
  ListenerPipelines pipelines() {
    return pipelines;
  }

  /** The HTTP handlers of a plain-text listener (HTTP/1.1 or h2c by its first bytes). */
  void httpPipeline(Channel ch, ListenerSpec spec) {
    pipelines.http(ch, spec);
  }

  /**
   * Binds a listener whose connections {@code init} sets up.
   *
   * @return the server channel; fails naming the listener and address when the bind fails
   */
  Future<Channel> listen(String name, int port, java.util.function.Consumer<Channel> init) {
    Promise<Channel> promise = Promise.promise();
    EventLoopGroup acceptor = vertx.acceptorEventLoopGroup();
    EventLoopGroup workers = vertx.nettyEventLoopGroup();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channelFactory(vertx.transport().serverChannelFactory(false))
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, UpstreamPool.BUFFERS)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (draining) {
              ch.close();
              return;
            }
            // Counted (and drained) from the accept: a client that has not spoken yet, or a TCP
            // relay, has no exchange handler to register it.
            connections.add(ch);
            ch.closeFuture().addListener(f -> connections.remove(ch));
            if (options.originalDestination() != null) {
              // First: no byte is read (not even a TLS hello) before the original destination is known.
              ch.pipeline().addLast(new io.mizzen.proxy.capture.CaptureHandler(vertx, options.originalDestination()));
            }
            init.accept(ch);
          }
        });
    bootstrap.bind(new InetSocketAddress(options.bindHost(), port)).addListener(f -> {
      if (f.isSuccess()) {
        Channel server = ((io.netty.channel.ChannelFuture) f).channel();
        synchronized (servers) {
          servers.add(server);
        }
        promise.complete(server);
      } else {
        promise.fail(new IOException("cannot bind the " + name + " listener on " + options.bindHost() + ":" + port
            + ": " + f.cause().getMessage(), f.cause()));
      }
    });
    return promise.future();
  }

  ProxyOptions options() {
    return options;
  }

  List<ProxyFilter> filters() {
    return filters;
  }

  /** The gateways this proxy serves under the snapshot in force. */
  Set<String> gateways() {
    return swaps.compiled().gateways();
  }

  TracePropagation tracing() {
    return tracing;
  }

  boolean draining() {
    return draining;
  }

  RouteTable table(ListenerSpec listener) {
    SnapshotCompiler.Compiled c = swaps.compiled();
    if (listener.gatewayPort() > 0) {
      io.mizzen.proxy.gateway.GatewayPort port = c.gatewayPorts().get(listener.gatewayPort());
      return port == null ? NO_GATEWAY_ROUTES : port.http();
    }
    return listener.portFromAuthority() ? c.outbound() : c.inbound();
  }

  UpstreamPool pool(EventLoop loop) {
    UpstreamPool pool = pools.get(loop);
    if (pool == null) {
      pool = pools.computeIfAbsent(loop,
          l -> new UpstreamPool((EventLoop) l, clientChannels, vertx.nameResolver().nettyAddressResolverGroup(),
              upstreamSecurity));
    }
    return pool;
  }

  void mirror(Route route, RequestContext ctx, EventLoop loop) {
    if (route.mirrorPercent() < 100 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() * 100 >= route.mirrorPercent()) {
      return;
    }
    Mirror.send(pool(loop), route.mirror(), ctx.request());
  }

  void exchangeStarted() {
    inFlight.incrementAndGet();
  }

  boolean logsAccess() {
    return options.accessLog() != ProxyOptions.NO_ACCESS_LOG;
  }

  /** An exchange ended; {@code entry} is {@code null} when no access log is kept. */
  void exchangeFinished(AccessLogEntry entry) {
    if (entry != null) {
      try {
        options.accessLog().accept(entry);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "access log sink failed on " + entry, e);
      }
    }
    if (inFlight.decrementAndGet() == 0 && draining) {
      Promise<Void> p = drained;
      if (p != null) {
        p.tryComplete();
      }
    }
  }

  void connectionOpened(Channel ch) {
    connections.add(ch);
  }

  void connectionClosed(Channel ch) {
    connections.remove(ch);
  }

  void connectionError(Channel ch, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, () -> "client connection " + ch.remoteAddress() + " failed: " + cause);
  }

  @Override
  public Future<Void> apply(ProxySnapshot snapshot) {
    return swaps.apply(snapshot);
  }

  @Override
  public boolean ready() {
    return swaps.compiled().ready();
  }

  @Override
  public String version() {
    return swaps.compiled().version();
  }

  @Override
  public int gatewayPort(int serverPort) {
    return gatewayListeners.boundPort(serverPort);
  }

  @Override
  public Map<Integer, Integer> gatewayPorts() {
    return gatewayListeners.boundPorts();
  }

  @Override
  public io.mizzen.proxy.tcp.TcpStats tcpStats() {
    return tcpStats;
  }

  @Override
  public int outboundPort() {
    return outbound == null ? -1 : outbound.port();
  }

  @Override
  public int inboundPort() {
    return inbound == null ? -1 : inbound.port();
  }

  @Override
  public io.mizzen.proxy.access.ProxyStats stats() {
    return stats;
  }

  @Override
  public io.mizzen.proxy.access.IstioMetrics metrics() {
    return metrics;
  }

  void count(int status, int flags) {
    stats.record(status, flags);
  }

  @Override
  public int connections() {
    return connections.size();
  }

  @Override
  public RouteTable routes() {
    return swaps.compiled().outbound();
  }

  @Override
  public Future<Void> close() {
    if (draining) {
      return drained.future();
    }
    Promise<Void> done = Promise.promise();
    drained = done;
    draining = true;
    if (healthChecker != null) {
      healthChecker.stop();
    }
    swaps.stopPolling();
    List<Channel> toClose;
    synchronized (servers) {
      toClose = new ArrayList<>(servers);
      servers.clear();
    }
    List<Future<Void>> listenersClosed = new ArrayList<>();
    for (Channel server : toClose) {
      listenersClosed.add(closed(server));
    }
    listenersClosed.add(gatewayListeners.close());
    for (Channel ch : connections) {
      DownstreamHandler h = ch.pipeline().get(DownstreamHandler.class);
      if (h != null) {
        ch.eventLoop().execute(h::closeIfIdle);
      }
    }
    if (inFlight.get() == 0) {
      done.tryComplete();
    }
    long timer = vertx.setTimer(Math.max(1, options.drainPeriod().toMillis()), t -> done.tryComplete());
    // Completes once the listeners refuse new connections, as well as once the drain is over.
    return Future.join(listenersClosed).transform(ignored -> done.future()).compose(v -> {
      vertx.cancelTimer(timer);
      for (Channel ch : connections) {
        // On the connection's own loop, after whatever it is doing, and only once what was
        // written is flushed: the last response of the drain must not be cut.
        ch.eventLoop().execute(() -> Backpressure.flushThenClose(ch));
      }
      for (Map.Entry<EventExecutor, UpstreamPool> e : pools.entrySet()) {
        e.getKey().execute(e.getValue()::closeAll);
      }
      return Future.<Void>succeededFuture();
    });
  }

  /** Closes a listener: completes once it no longer accepts (never fails). */
  static Future<Void> closed(Channel server) {
    Promise<Void> closed = Promise.promise();
    server.close().addListener(ignored -> closed.complete());
    return closed.future();
  }

  static Future<MeshProxy> start(Vertx vertx, ProxyOptions options, List<ProxyFilter> filters,
      io.mizzen.proxy.tls.MeshTls meshTls, String trustDomain, io.mizzen.proxy.authz.InboundSecurity security) {
    return new ProxyServer((VertxInternal) vertx, options, filters, meshTls, trustDomain, security).start();
  }

}
