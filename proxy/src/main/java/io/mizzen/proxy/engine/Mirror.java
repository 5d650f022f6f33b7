package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.route.Destination;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * A mirrored copy of a bodiless request, sent fire-and-forget: its response is read and dropped,
 * and whatever happens to it never reaches the client's exchange. The Host gets Envoy's
 * {@code -shadow} suffix so the mirror target can tell copies apart.
 */
final class Mirror implements UpstreamOwner {
  private final UpstreamPool pool;
  private final Cluster cluster;
  private final Endpoint endpoint;
  private Channel upstream;
  private boolean keepAlive;

  private Mirror(UpstreamPool pool, Cluster cluster, Endpoint endpoint) {
    this.pool = pool;
    this.cluster = cluster;
    this.endpoint = endpoint;
  }

  /** Sends the copy; does nothing when the request has a body or the mirror has no endpoint. */
  static void send(UpstreamPool pool, Destination mirror, HttpRequest original) {
    Cluster cluster = mirror.cluster();
    if (cluster == null || HttpUtil.isTransferEncodingChunked(original) || HttpUtil.getContentLength(original, 0L) > 0) {
      return;
    }
    Endpoint endpoint = cluster.pick(io.mizzen.proxy.cluster.RequestKeys.sourceOnly(""), List.of()) /* a mirror balances without request keys */;
    if (endpoint == null) {
      return;
    }
    DefaultFullHttpRequest copy = new DefaultFullHttpRequest(original.protocolVersion(), original.method(), original.uri());
    copy.headers().set(original.headers());
    String host = original.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      int colon = host.lastIndexOf(':');
      copy.headers().set(HttpHeaderNames.HOST,
          colon < 0 ? host + "-shadow" : host.substring(0, colon) + "-shadow" + host.substring(colon));
    }
    copy.headers().remove(HttpHeaderNames.EXPECT);
    mirror.requestOps().apply(copy.headers());
    Mirror m = new Mirror(pool, cluster, endpoint);
    Channel idle = pool.poll(endpoint, cluster.policy());
    if (idle != null) {
      m.attach(idle, copy);
    } else {
      ChannelFuture f = pool.connect(endpoint, cluster.policy());
      f.addListener(done -> {
        if (f.isSuccess()) {
          m.attach(f.channel(), copy);
        } else {
          copy.release();
          cluster.recordFailure(endpoint);
        }
      });
    }
  }

  private void attach(Channel ch, HttpRequest copy) {
    upstream = ch;
    ch.pipeline().get(UpstreamHandler.class).attach(this);
    ch.writeAndFlush(copy, ch.voidPromise());
  }

  @Override
  public Channel client() {
    return null;
  }

  @Override
  public void onUpstreamRead(Object msg) {
    if (msg instanceof HttpResponse response) {
      keepAlive = HttpUtil.isKeepAlive(response);
      int code = response.status().code();
      if (code >= 200) {
        cluster.recordStatus(endpoint, code);
      }
    }
    boolean last = msg instanceof LastHttpContent;
    if (msg instanceof HttpContent) {
      ReferenceCountUtil.release(msg);
    }
    if (last) {
      Channel ch = upstream;
      upstream = null;
      ch.pipeline().get(UpstreamHandler.class).detach();
      if (keepAlive) {
        pool.release(ch);
      } else {
        ch.close();
      }
    }
  }

  @Override
  public void onUpstreamWritable() {}

  @Override
  public void onUpstreamClosed(Channel ch) {
    upstream = null;
  }

  @Override
  public void noteUpstreamError(Throwable cause) {}
}
