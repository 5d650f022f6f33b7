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
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import io.mizzen.proxy.tls.TlsOrigination;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/**
 * The keep-alive upstream connections of one event loop, by endpoint address. Only its own event
 * loop touches it, so it needs no lock; a connection lives and dies on the loop that opened it.
 * Idle connections are closed after the cluster's idle timeout, before the upstream's own
 * keep-alive timeout would close them under a request in flight. Mutual-TLS connections are pooled
 * apart from plain-text ones to the same address, and TLS-originated ones (DestinationRule SIMPLE,
 * MUTUAL) apart per context, so a policy or certificate change never reuses the wrong kind.
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
  /** Secured connections by kind ({@link UpstreamSecurity#kind}: mesh TLS, with its SNI, or an origination context). */
  private final Map<Object, Map<InetSocketAddress, ArrayDeque<Channel>>> idleSecured = new HashMap<>();
  private final UpstreamSecurity security;
  private H2Upstreams h2;

  UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver, UpstreamSecurity security) {
    this.security = security;
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
  }

  /** The HTTP/2 connections of this loop, made when a cluster first needs one. */
  H2Upstreams h2() {
    if (h2 == null) {
      h2 = new H2Upstreams(this, security, loop, channels, resolver);
    }
    return h2;
  }

  /** Whether connections under {@code policy} are mutual TLS. */
  boolean mutualTls(ClusterPolicy policy) {
    return security.mutualTls(policy);
  }

  /** An idle connection of the policy's kind to the endpoint, most recently used first, or {@code null}. */
  Channel poll(Endpoint endpoint, ClusterPolicy policy) {
    return poll(endpoint, security.kind(policy));
  }

  /** {@link #poll(Endpoint, ClusterPolicy)} for a kind of {@link UpstreamSecurity#kind}. */
  Channel poll(Endpoint endpoint, Object kind) {
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = idleOf(kind);
    ArrayDeque<Channel> queue = pool == null ? null : pool.get(endpoint.address());
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

  /**
   * Opens a new HTTP/1.1 connection on this loop (TLS offering ALPN {@code http/1.1} at most);
   * it is not in the pool until {@link #release}.
   */
  ChannelFuture connect(Endpoint endpoint, ClusterPolicy policy) {
    Object kind = security.kind(policy);
    String unusable = UpstreamSecurity.unusable(kind, endpoint);
    if (unusable != null) {
      return failed(unusable);
    }
    TlsOrigination.Context originated = kind instanceof TlsOrigination.Context c ? c : null;
    long idleMillis = policy.idleTimeout().toMillis();
    int perConnection = policy.maxRequestsPerConnection();
    InetSocketAddress key = endpoint.address();
    ChannelFuture connecting = new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .resolver(resolver)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, BUFFERS)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, policy.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler tls = security.handler(kind, endpoint, policy, ch, false);
            if (tls != null) {
              ch.pipeline().addLast(tls);
            }
            ch.pipeline().addLast(http1Codec(), IdleTimeout.upstream(idleMillis),
                new UpstreamHandler(UpstreamPool.this, key, perConnection, kind, false));
          }
        })
        .connect(key);
    return originated == null ? connecting : handshaken(connecting, endpoint, policy, kind);
  }

  /** The HTTP/1.1 client codec of an upstream connection. */
  static Http1ClientCodec http1Codec() {
    return new Http1ClientCodec();
  }

  /**
   * Completes once the TLS handshake has: a handshake failure fails the connect (503 UF), with a
   * reason that says so, logged once per endpoint.
   */
  private ChannelFuture handshaken(ChannelFuture connecting, Endpoint endpoint, ClusterPolicy policy, Object kind) {
    ChannelPromise done = connecting.channel().newPromise();
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        done.tryFailure(f.cause());
        return;
      }
      SslHandler ssl = connecting.channel().pipeline().get(SslHandler.class);
      ssl.handshakeFuture().addListener(h -> {
        if (h.isSuccess()) {
          security.handshakeSucceeded(kind, endpoint);
          done.trySuccess();
        } else {
          done.tryFailure(new SSLException(security.handshakeFailed(kind, endpoint, policy, h.cause()), h.cause()));
        }
      });
    });
    return done;
  }

  /** A connect that fails at once: its channel is closed before it is registered or connected. */
  ChannelFuture failed(String reason) {
    Channel never = channels.newChannel();
    never.unsafe().closeForcibly();
    return new DefaultChannelPromise(never, loop).setFailure(new SSLException(reason));
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
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = handler.kind() == null ? idle
        : idleSecured.computeIfAbsent(handler.kind(), k -> new HashMap<>());
    pool.computeIfAbsent(handler.key(), k -> new ArrayDeque<>()).addFirst(ch);
  }

  /** Forgets a pooled connection that closed or idled out. */
  void remove(Channel ch, UpstreamHandler handler) {
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = idleOf(handler.kind());
    ArrayDeque<Channel> queue = pool == null ? null : pool.get(handler.key());
    if (queue != null) {
      queue.remove(ch);
      if (queue.isEmpty()) {
        pool.remove(handler.key());
      }
    }
    if (handler.kind() != null && pool != null && pool.isEmpty()) {
      idleSecured.remove(handler.kind());
    }
  }

  /** The idle connections of one kind by address; {@code null} for a secured kind none was pooled under. */
  private Map<InetSocketAddress, ArrayDeque<Channel>> idleOf(Object kind) {
    return kind == null ? idle : idleSecured.get(kind);
  }

  /** Closes every idle connection (on shutdown). */
  void closeAll() {
    if (h2 != null) {
      h2.closeAll();
    }
    List<Map<InetSocketAddress, ArrayDeque<Channel>>> pools = new java.util.ArrayList<>(List.of(idle));
    pools.addAll(idleSecured.values());
    idleSecured.clear();
    for (Map<InetSocketAddress, ArrayDeque<Channel>> pool : pools) {
      for (ArrayDeque<Channel> queue : pool.values()) {
        for (Channel ch : queue) {
          ch.close();
        }
      }
      pool.clear();
    }
  }
}
