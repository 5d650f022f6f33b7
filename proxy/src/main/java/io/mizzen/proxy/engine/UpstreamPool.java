package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive upstream connections of one event loop, by endpoint address. Only its own event
 * loop touches it, so it needs no lock; a connection lives and dies on the loop that opened it.
 * Idle connections are closed after the cluster's idle timeout, before the upstream's own
 * keep-alive timeout would close them under a request in flight.
 */
final class UpstreamPool {
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

  UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver) {
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
  }

  /** An idle connection to the endpoint, most recently used first, or {@code null}. */
  Channel poll(Endpoint endpoint) {
    ArrayDeque<Channel> queue = idle.get(endpoint.address());
    if (queue == null) {
      return null;
    }
    Channel ch;
    while ((ch = queue.pollFirst()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** Opens a new connection on this loop; it is not in the pool until {@link #release}. */
  ChannelFuture connect(Endpoint endpoint, ClusterPolicy policy) {
    long idleMillis = policy.idleTimeout().toMillis();
    int perConnection = policy.maxRequestsPerConnection();
    InetSocketAddress key = endpoint.address();
    return new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .resolver(resolver)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, policy.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(16 * 1024);
            ch.pipeline().addLast(
                new HttpClientCodec(config, false, false),
                new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                new UpstreamHandler(UpstreamPool.this, key, perConnection));
          }
        })
        .connect(key);
  }

  /** Takes back a connection after a complete keep-alive exchange. */
  void release(Channel ch) {
    UpstreamHandler handler = ch.pipeline().get(UpstreamHandler.class);
    if (!ch.isActive() || handler == null || handler.exhausted()) {
      ch.close();
      return;
    }
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
    idle.computeIfAbsent(handler.key(), k -> new ArrayDeque<>()).addFirst(ch);
  }

  /** Forgets a pooled connection that closed or idled out. */
  void remove(Channel ch, InetSocketAddress key) {
    ArrayDeque<Channel> queue = idle.get(key);
    if (queue != null) {
      queue.remove(ch);
      if (queue.isEmpty()) {
        idle.remove(key);
      }
    }
  }

  /** Closes every idle connection (on shutdown). */
  void closeAll() {
    for (ArrayDeque<Channel> queue : idle.values()) {
      for (Channel ch : queue) {
        ch.close();
      }
    }
    idle.clear();
  }
}
