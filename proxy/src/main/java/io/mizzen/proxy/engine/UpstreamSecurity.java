package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.tls.MeshTls;
import io.mizzen.proxy.tls.TlsOrigination;
import io.mizzen.proxy.tls.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What TLS an upstream connection carries, and its client handler: none, the mesh's mutual TLS
 * (ISTIO_MUTUAL, with the peer's SPIFFE identity checked), or TLS originated from a
 * DestinationRule (SIMPLE, MUTUAL; it wins over ISTIO_MUTUAL). Connections are pooled by kind,
 * so a policy or certificate change never reuses the wrong one. Shared by the HTTP/1.1 pool and
 * the HTTP/2 connections; holds no per-loop state.
 */
final class UpstreamSecurity {
  /** The kind of the mesh's mutual-TLS connections (an originated kind is its {@link TlsOrigination.Context}). */
  static final Object MESH = new Object() {
    @Override
    public String toString() {
      return "ISTIO_MUTUAL";
    }
  };

  private final MeshTls meshTls;
  private final String trustDomain;
  private final TlsOrigination origination;

  UpstreamSecurity(MeshTls meshTls, String trustDomain, TlsOrigination origination) {
    this.meshTls = meshTls;
    this.trustDomain = trustDomain;
    this.origination = origination;
  }

  /** Whether connections under {@code policy} are the mesh's mutual TLS. */
  boolean mutualTls(ClusterPolicy policy) {
    return meshTls != null && policy.istioMutual();
  }

  /**
   * The kind of connection {@code policy} asks for: {@code null} for plain text, {@link #MESH},
   * or the origination context (whose {@code context()} is null when it could not be built).
   */
  Object kind(ClusterPolicy policy) {
    if (policy.originate() != null) {
      return origination.context(policy.originate());
    }
    if (!mutualTls(policy)) {
      return null;
    }
    return policy.istioMutualSni() == null ? MESH : new MeshWithSni(policy.istioMutualSni());
  }

  /**
   * The kind of mesh mutual-TLS connections sending a DestinationRule's {@code sni}: pooled
   * apart per name, since an egress gateway picked its server by it.
   */
  record MeshWithSni(String sni) {
    @Override
    public String toString() {
      return "ISTIO_MUTUAL (sni " + sni + ")";
    }
  }

  /** Whether connections of {@code kind} are the mesh's mutual TLS (with or without an SNI). */
  static boolean isMesh(Object kind) {
    return kind == MESH || kind instanceof MeshWithSni;
  }

  /** Why a connection of {@code kind} cannot be made at all (origination off), or {@code null}. */
  static String unusable(Object kind, Endpoint endpoint) {
    if (kind instanceof TlsOrigination.Context c && c.context() == null) {
      return "TLS origination to " + endpoint.hostPort() + " is off: " + c.error();
    }
    return null;
  }

  /**
   * The client TLS handler of a new connection of {@code kind}, or {@code null} for plain text.
   * The mesh context is asked per connection, so a rotated certificate is used from the next one
   * on; host and port let the session resume on the next connection to the same peer.
   *
   * @param offerH2 offer ALPN {@code h2} and {@code http/1.1} (an HTTP/2 cluster's connections)
   */
  SslHandler handler(Object kind, Endpoint endpoint, ClusterPolicy policy, Channel ch, boolean offerH2) {
    if (isMesh(kind)) {
      SslContext mesh = meshTls.client(expectedIdentities(endpoint, policy), offerH2);
      if (!(kind instanceof MeshWithSni named)) {
        return mesh.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
      }
      // The DestinationRule's sni, as Istio's sidecar sends it to an egress gateway (which picks
      // its ISTIO_MUTUAL server by it); sessions resume per name and port.
      return withSni(mesh, ch, named.sni(), endpoint.port());
    }
    if (kind instanceof TlsOrigination.Context c) {
      return originating(c.forAlpn(offerH2), policy.originate(), endpoint, ch);
    }
    return null;
  }

  /** The reason a handshake failed, to answer with; an origination failure is logged once per endpoint. */
  String handshakeFailed(Object kind, Endpoint endpoint, ClusterPolicy policy, Throwable cause) {
    if (kind instanceof TlsOrigination.Context) {
      return origination.handshakeFailed(endpoint.hostPort(), policy.originate(), cause);
    }
    return "TLS handshake with " + endpoint.hostPort() + " failed (" + kind + "): " + cause.getMessage();
  }

  /** A handshake succeeded: the endpoint's next failure is logged again. */
  void handshakeSucceeded(Object kind, Endpoint endpoint) {
    if (kind instanceof TlsOrigination.Context) {
      origination.handshakeSucceeded(endpoint.hostPort());
    }
  }

  /** A client handler sending the settings' SNI (else the endpoint's host name, when it is one). */
  private static SslHandler originating(SslContext context, UpstreamTls tls, Endpoint endpoint, Channel ch) {
    return tls.sni() != null ? withSni(context, ch, tls.sni(), endpoint.port())
        : context.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
  }

  /** A client handler sending {@code sni}, set explicitly: the JDK's engine sends none for a name without a dot on its own. */
  private static SslHandler withSni(SslContext context, Channel ch, String sni, int port) {
    SslHandler handler = context.newHandler(ch.alloc(), sni, port);
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setServerNames(List.of(new SNIHostName(sni)));
    engine.setSSLParameters(params);
    return handler;
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
}
