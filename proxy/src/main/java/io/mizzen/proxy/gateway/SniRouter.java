package io.mizzen.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * Reads a connection's ClientHello (without answering it), picks the Gateway server its SNI
 * names and hands the connection on: the listener then puts TLS termination and HTTP, or a TCP
 * relay for PASSTHROUGH, in this handler's place. The buffered ClientHello flows to whatever
 * replaces it. A connection that does not start with TLS, or names a host no server exposes,
 * is closed.
 */
public final class SniRouter extends AbstractSniHandler<GatewayServer> {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.gateway");

  /** What to do with a connection once its server is known. */
  @FunctionalInterface
  public interface Selected {
    /**
     * Puts the handlers for {@code server} after {@code ctx} and removes or replaces the router.
     *
     * @param sni the ClientHello's server name, or {@code null}
     */
    void install(ChannelHandlerContext ctx, String sni, GatewayServer server);
  }

  private final GatewayPort port;
  private final Selected selected;

  public SniRouter(GatewayPort port, long handshakeTimeoutMillis, Selected selected) {
    super(handshakeTimeoutMillis);
    this.port = port;
    this.selected = selected;
  }

  @Override
  protected Future<GatewayServer> lookup(ChannelHandlerContext ctx, String hostname) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(port.server(hostname));
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<GatewayServer> future) {
    GatewayServer server = future.getNow();
    if (server == null) {
      LOG.log(System.Logger.Level.DEBUG, () -> "closing " + ctx.channel().remoteAddress() + ": no server on port "
          + port.number() + " exposes SNI '" + hostname + "'");
      ctx.close();
      return;
    }
    selected.install(ctx, hostname, server);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Plain text on a TLS port, a broken ClientHello, or the handshake timeout.
    LOG.log(System.Logger.Level.DEBUG, () -> "closing " + ctx.channel().remoteAddress() + " on gateway port "
        + port.number() + ": " + cause);
    ctx.close();
  }
}
