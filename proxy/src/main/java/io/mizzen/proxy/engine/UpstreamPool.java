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
import io.mizzen.proxy.tls.TlsOrigination;
import io.mizzen.proxy.tls.UpstreamTls;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

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
  private final Map<InetSocketAddress, ArrayDeque<Channel>> idleTls = new HashMap<>();
  private final Map<TlsOrigination.Context, Map<InetSocketAddress, ArrayDeque<Channel>>> idleOriginated = new HashMap<>();
  private final MeshTls meshTls;
  private final String trustDomain;
  private final TlsOrigination origination;
  private H2Upstreams h2;

  UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver, MeshTls meshTls, String trustDomain,
      TlsOrigination origination) {
    this.origination = origination;
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
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = idleOf(mutualTls(policy),
        policy.originate() == null ? null : origination.context(policy.originate()));
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

  /** Opens a new connection on this loop; it is not in the pool until {@link #release}. */
  ChannelFuture connect(Endpoint endpoint, ClusterPolicy policy) {
    UpstreamTls originate = policy.originate();
    TlsOrigination.Context originated = originate == null ? null : origination.context(originate);
    if (originated != null && originated.context() == null) {
      return failed("TLS origination to " + endpoint.hostPort() + " is off: " + originated.error());
    }
    SslContext tlsContext = originated == null ? null : originated.context();
    long idleMillis = policy.idleTimeout().toMillis();
    int perConnection = policy.maxRequestsPerConnection();
    InetSocketAddress key = endpoint.address();
    Set<String> expected = originate == null && mutualTls(policy) ? expectedIdentities(endpoint, policy) : null;
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
            HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(16 * 1024);
            if (expected != null) {
              // Asked per connection so a rotated certificate is used from the next one on; host
              // and port let the session resume on the next connection to the same peer.
              ch.pipeline().addLast(meshTls.client(expected).newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
            } else if (tlsContext != null) {
              ch.pipeline().addLast(originating(tlsContext, originate, endpoint, ch));
            }
            ch.pipeline().addLast(
                new HttpClientCodec(config, false, false),
                new IdleTimeout(idleMillis),
                new UpstreamHandler(UpstreamPool.this, key, perConnection, expected != null, originated, false));
          }
        })
        .connect(key);
    return tlsContext == null ? connecting : handshaken(connecting, endpoint, originate);
  }

  /** A client handler sending the settings' SNI (else the endpoint's host name, when it is one). */
  private static SslHandler originating(SslContext context, UpstreamTls tls, Endpoint endpoint, Channel ch) {
    String sni = tls.sni() != null ? tls.sni() : endpoint.host();
    SslHandler handler = context.newHandler(ch.alloc(), sni, endpoint.port());
    if (tls.sni() != null) {
      // Explicit: the JDK's engine sends no SNI for a name without a dot on its own.
      SSLEngine engine = handler.engine();
      SSLParameters params = engine.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(tls.sni())));
      engine.setSSLParameters(params);
    }
    return handler;
  }

  /**
   * Completes once the TLS handshake has: a handshake failure fails the connect (503 UF), with a
   * reason that says so, logged once per endpoint.
   */
  private ChannelFuture handshaken(ChannelFuture connecting, Endpoint endpoint, UpstreamTls tls) {
    ChannelPromise done = connecting.channel().newPromise();
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        done.tryFailure(f.cause());
        return;
      }
      SslHandler ssl = connecting.channel().pipeline().get(SslHandler.class);
      ssl.handshakeFuture().addListener(h -> {
        if (h.isSuccess()) {
          origination.handshakeSucceeded(endpoint.hostPort());
          done.trySuccess();
        } else {
          done.tryFailure(new SSLException(origination.handshakeFailed(endpoint.hostPort(), tls, h.cause()), h.cause()));
        }
      });
    });
    return done;
  }

  /** A connect that fails at once: its channel is closed before it is registered or connected. */
  private ChannelFuture failed(String reason) {
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
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = handler.originated() == null ? idleOf(handler.mutualTls(), null)
        : idleOriginated.computeIfAbsent(handler.originated(), k -> new HashMap<>());
    pool.computeIfAbsent(handler.key(), k -> new ArrayDeque<>()).addFirst(ch);
  }

  /** Forgets a pooled connection that closed or idled out. */
  void remove(Channel ch, UpstreamHandler handler) {
    Map<InetSocketAddress, ArrayDeque<Channel>> pool = idleOf(handler.mutualTls(), handler.originated());
    ArrayDeque<Channel> queue = pool == null ? null : pool.get(handler.key());
    if (queue != null) {
      queue.remove(ch);
      if (queue.isEmpty()) {
        pool.remove(handler.key());
      }
    }
    if (handler.originated() != null && pool != null && pool.isEmpty()) {
      idleOriginated.remove(handler.originated());
    }
  }

  /** The idle connections of one kind by address; {@code null} for a TLS context none was pooled under. */
  private Map<InetSocketAddress, ArrayDeque<Channel>> idleOf(boolean mutualTls, TlsOrigination.Context originated) {
    if (originated != null) {
      return idleOriginated.get(originated);
    }
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
    List<Map<InetSocketAddress, ArrayDeque<Channel>>> pools = new java.util.ArrayList<>(List.of(idle, idleTls));
    pools.addAll(idleOriginated.values());
    idleOriginated.clear();
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
