package io.mizzen.proxy.engine;

import io.mizzen.proxy.capture.CaptureHandler;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.route.HeaderOps;
import io.mizzen.proxy.route.Route;
import io.mizzen.proxy.route.RouteResult;
import io.mizzen.proxy.tcp.L4Route;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Protocol sniffing on the outbound listener under transparent capture, as Istio's sidecar does
 * for outbound traffic: an app's connection may carry anything (TLS to an external site, a
 * database protocol), not only HTTP. The first bytes decide: an HTTP request line (or the h2
 * preface) goes on to the HTTP handlers; a TLS ClientHello, or bytes no HTTP request starts with,
 * or nothing within {@link DetectionTimer#MILLIS} (a protocol where the server speaks first) becomes a
 * byte relay to the connection's original destination. The outboundTrafficPolicy still holds:
 * under REGISTRY_ONLY the relay is made only when the destination is known to the mesh (a TLS
 * ClientHello's server name or the dialled address, with the port, routed as a request's
 * authority would be: a service, a ServiceEntry with {@code resolution: NONE}); otherwise the
 * connection is closed. A mesh VirtualService's {@code tcp:} or {@code tls:} rule that takes the
 * connection (its hosts' service ports, its port, subnet and SNI matches) decides first; then a
 * host the route table sends to a mesh service goes to that service's endpoints. What crosses a
 * relay is not looked into.
 */
final class CapturedProtocols extends ByteToMessageDecoder {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.capture");
  /** Long enough for any HTTP method and its space ({@code OPTIONS }, {@code PROPFIND }). */
  private static final int METHOD_BYTES = 16;

  private final ProxyServer server;
  private final ListenerSpec spec;
  private final DetectionTimer timer = new DetectionTimer();

  CapturedProtocols(ProxyServer server, ListenerSpec spec) {
    this.server = server;
    this.spec = spec;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  private void arm(ChannelHandlerContext ctx) {
    // Nothing said within the detection time: a server-first protocol (MySQL, SMTP...).
    timer.arm(ctx, () -> relay(ctx, null));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    int first = in.getUnsignedByte(in.readerIndex());
    if (first == 0x16) {
      // A TLS record: its ClientHello names the server.
      done();
      ctx.pipeline().replace(this, null, new ServerName());
      return;
    }
    switch (firstBytes(in)) {
      case HTTP -> http(ctx);
      case OTHER -> {
        done();
        relay(ctx, null);
      }
      default -> {
        // An upper-case start, no space yet; more bytes (or the timer) decide.
      }
    }
  }

  /** What a connection's first bytes say. */
  enum FirstBytes { HTTP, OTHER, MORE }

  /**
   * {@code HTTP} when the bytes start with an HTTP method and a space (or the h2 preface's
   * {@code PRI }), {@code OTHER} when no HTTP request starts so, {@code MORE} when it cannot tell yet.
   */
  static FirstBytes firstBytes(ByteBuf in) {
    int n = Math.min(in.readableBytes(), METHOD_BYTES);
    for (int i = 0; i < n; i++) {
      int b = in.getUnsignedByte(in.readerIndex() + i);
      if (b == ' ' && i > 0) {
        return FirstBytes.HTTP;
      }
      if (b < 'A' || b > 'Z') {
        return FirstBytes.OTHER;
      }
    }
    return n == METHOD_BYTES ? FirstBytes.OTHER : FirstBytes.MORE;
  }

  private void done() {
    timer.cancel();
  }

  /** HTTP: the handlers after this one take the connection (removing a decoder hands on its bytes). */
  private void http(ChannelHandlerContext ctx) {
    done();
    ctx.pipeline().remove(this);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    done();
  }

  /**
   * Replaces the handler of {@code ctx} (and the HTTP handlers after it) with a byte relay to where
   * the connection goes, or closes it when the outboundTrafficPolicy does not let it out.
   */
  private void relay(ChannelHandlerContext ctx, String sni) {
    relay(server, spec, ctx, sni);
  }

  static void relay(ProxyServer server, ListenerSpec spec, ChannelHandlerContext ctx, String sni) {
    io.netty.channel.Channel ch = ctx.channel();
    InetSocketAddress original = CaptureHandler.originalDestination(ch);
    if (original == null) {
      // Not known (the table could not say): the connection is taken as HTTP, as without capture.
      ctx.pipeline().remove(ctx.handler());
      return;
    }
    String sourceIp = ch.remoteAddress() instanceof InetSocketAddress r ? r.getAddress().getHostAddress() : "";
    L4Route.Connection connection = new L4Route.Connection(original.getPort(), sni, original.getAddress().getHostAddress(),
        sourceIp, server.options().sourceLabels());
    for (io.mizzen.proxy.route.MeshL4Route m : server.meshL4Routes()) {
      if (m.accepts(connection)) {
        install(server, ctx, m.route().choose());
        return;
      }
    }
    String host = sni != null ? sni : original.getAddress().getHostAddress();
    RouteResult routed = server.routeAuthority(spec, host + ":" + original.getPort(), original.getPort(), sourceIp);
    Route route = routed.route();
    if (route == null || route.destinations().isEmpty()) {
      LOG.log(System.Logger.Level.DEBUG, () -> "closing captured connection to " + original + (sni == null ? "" : " (SNI " + sni + ")")
          + ": " + (route == null ? routed.detail() : "its route answers locally"));
      ch.close();
      return;
    }
    Destination destination = route.choose();
    if (destination.cluster() != null && Cluster.PASSTHROUGH.equals(destination.cluster().name())) {
      // Where the app dialled, not where a name would resolve.
      Cluster passthrough = Cluster.passthrough(Endpoint.of(original.getAddress().getHostAddress(), original.getPort(), Map.of()));
      destination = new Destination(passthrough, passthrough.name(), 100, HeaderOps.NONE, HeaderOps.NONE);
    }
    install(server, ctx, destination);
  }

  /** The relay in the handler of {@code ctx}'s place; the HTTP handlers after it go, so the bytes held there reach the relay. */
  static void install(ProxyServer server, ChannelHandlerContext ctx, Destination destination) {
    install(server, ctx, destination, null);
  }

  /** As {@link #install(ProxyServer, ChannelHandlerContext, Destination)}, with {@code inFront} (if any) just before the relay. */
  static void install(ProxyServer server, ChannelHandlerContext ctx, Destination destination,
      io.netty.channel.ChannelHandler inFront) {
    io.netty.channel.ChannelPipeline p = ctx.pipeline();
    while (p.last() != ctx.handler()) {
      p.removeLast();
    }
    io.netty.channel.ChannelHandler relay = server.relays().to(destination, false);
    p.replace(ctx.handler(), null, relay);
    if (inFront != null) {
      p.addBefore(p.context(relay).name(), null, inFront);
    }
  }

  /** A TLS connection: reads the ClientHello's server name (without answering it), then relays. */
  private final class ServerName extends AbstractSniHandler<String> {
    @Override
    protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
      relay(server, spec, ctx, hostname);
    }
  }
}
