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
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import io.mizzen.proxy.tls.MeshTls;

/**
 * The keep-alive upstream connections of one event loop, by endpoint address. Only its own event
 * loop touches it, so it needs no lock; a connection lives and dies on the loop that opened it.
 * Idle connections are closed after the cluster's idle timeout, before the upstream's own
 * keep-alive timeout would close them under a request in flight. Mutual-TLS connections are pooled
 * apart from plain-text ones to the same address, so a policy change never reuses the wrong kind.
 */
final class UpstreamPool {
  /**
   * The data plane's buffers. Netty 4.2's default adaptive allocator makes a fresh
   * {@code DirectByteBuffer} slice for every socket read and write on the NIO transport (half the
   * sampled allocation per request in a JFR profile of the benchmark); the pooled allocator
   * keeps one per buffer.
   */
  static final io.netty.buffer.ByteBufAllocator BUFFERS = io.netty.buffer.PooledByteBufAllocator.DEFAULT;

  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
  private final Map<InetSocketAddress, ArrayDeque<Channel>> idleTls = new HashMap<>();
  private final MeshTls meshTls;
  private final String trustDomain;
  private H2Upstreams h2;

  UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver, MeshTls meshTls, String trustDomain) {
    this.meshTls = meshTls;
    this.trustDomain = trustDomain;
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
  }

  /** The HTTP/2 connections of this loop, made when a cluster first needs one. */
  H2Upstreams h2() {
    if (h2 == null) {
      h2 = new H2Upstreams(this, loop, channels, resolver);
    }
    return h2;
  }

  /** Whether connections under {@code policy} are mutual TLS. */
  boolean mutualTls(ClusterPolicy policy) {
    return meshTls != null && policy.istioMutual();
  }

  /** An idle connection of the policy's kind to the endpoint, most recently used first, or {@code null}. */
  Channel poll(Endpoint endpoint, ClusterPolicy policy) {
    ArrayDeque<Channel> queue = (mutualTls(policy) ? idleTls : idle).get(endpoint.address());
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
    Set<String> expected = mutualTls(policy) ? expectedIdentities(endpoint, policy) : null;
    return new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .resolver(resolver)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, BUFFERS)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, policy.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(16 * 1024);
            if (expected != null) {
              // Asked per connection so a rotated certificate is used from the next one on; host
              // and port let the session resume on the next connection to the same peer.
              ch.pipeline().addLast(meshTls.client(expected).newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
            }
            ch.pipeline().addLast(
                new HttpClientCodec(config, false, false),
                new IdleTimeout(idleMillis),
                new UpstreamHandler(UpstreamPool.this, key, perConnection, expected != null));
          }
        })
        .connect(key);
  }

  /** Takes back a connection after a complete keep-alive exchange. */
  void release(Channel ch) {
    release(ch, ch.pipeline().get(UpstreamHandler.class));
  }

  /** {@link #release(Channel)} when the caller holds the connection's handler already. */
  void release(Channel ch, UpstreamHandler handler) {
    if (!ch.isActive() || handler == null || handler.exhausted()) {
      ch.close();
      return;
    }
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
    ArrayDeque<Channel> queue = idleOf(handler.mutualTls()).get(handler.key());
    if (queue == null) {
      queue = new ArrayDeque<>();
      idleOf(handler.mutualTls()).put(handler.key(), queue);
    }
    queue.addFirst(ch);
  }

  /** Forgets a pooled connection that closed or idled out. */
  void remove(Channel ch, InetSocketAddress key, boolean mutualTls) {
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = idleOf(mutualTls);
    ArrayDeque<Channel> queue = pool.get(key);
    if (queue != null) {
      queue.remove(ch);
      if (queue.isEmpty()) {
        pool.remove(key);
      }
    }
  }

  private Map<InetSocketAddress, ArrayDeque<Channel>> idleOf(boolean mutualTls) {
    return mutualTls ? idleTls : idle;
  }

  /**
   * The DestinationRule's subjectAltNames when it names some, else the endpoint's own SPIFFE
   * identity; an endpoint the registry knows no identity for accepts any mesh identity.
   */
  private Set<String> expectedIdentities(Endpoint endpoint, ClusterPolicy policy) {
    if (!policy.subjectAltNames().isEmpty()) {
      return Set.copyOf(policy.subjectAltNames());
    }
    return endpoint.identity() == null ? Set.of() : Set.of("spiffe://" + trustDomain + "/" + endpoint.identity());
  }

  /** Closes every idle connection (on shutdown). */
  void closeAll() {
    if (h2 != null) {
      h2.closeAll();
    }
    for (Map<InetSocketAddress, ArrayDeque<Channel>> pool : List.of(idle, idleTls)) {
      for (ArrayDeque<Channel> queue : pool.values()) {
        for (Channel ch : queue) {
          ch.close();
        }
      }
      pool.clear();
    }
  }
}
