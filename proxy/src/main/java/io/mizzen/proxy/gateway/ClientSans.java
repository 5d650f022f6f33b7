package io.mizzen.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A MUTUAL Gateway server's {@code subjectAltNames}: once the handshake is done, the client
 * certificate must carry one of them (DNS, URI, IP or e-mail SAN, compared exactly, as Envoy
 * does); otherwise the connection is closed before any request is read.
 */
public final class ClientSans extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.gateway");
  private final List<String> allowed;
  private final String where;

  public ClientSans(List<String> allowed, String where) {
    this.allowed = List.copyOf(allowed);
    this.where = where;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      String found = ssl == null ? null : matching(ssl);
      if (found == null) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + ctx.channel().remoteAddress() + ": its certificate has none of "
            + allowed + " (" + where + ".tls.subjectAltNames)");
        ctx.close();
        return;
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  private String matching(SslHandler ssl) {
    try {
      java.security.cert.Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf) || leaf.getSubjectAlternativeNames() == null) {
        return null;
      }
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        Object value = san.size() > 1 ? san.get(1) : null;
        if (value instanceof String s && allowed.contains(s)) {
          return s;
        }
      }
      return null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException | CertificateParsingException e) {
      return null;
    }
  }
}
