package io.mizzen.proxy.engine;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.filter.ProxyFilter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** The entry point into the engine package: starts a {@link MeshProxy}. */
public final class ProxyEngine {
  private ProxyEngine() {}

  /** Starts a proxy with the built-in filter chain only. */
  public static Future<MeshProxy> start(Vertx vertx, ProxyOptions options) {
    return ProxyServer.start(vertx, options, List.of(), null, null, null);
  }

  /** Starts a proxy whose chain ends with extra filters (extension HttpFilters). */
  public static Future<MeshProxy> start(Vertx vertx, ProxyOptions options, List<ProxyFilter> extraFilters) {
    return ProxyServer.start(vertx, options, extraFilters, null, null, null);
  }

  /**
   * Starts a proxy with mutual TLS: the inbound listener is PERMISSIVE (TLS with a mesh client
   * certificate, or plain text), and connections to ISTIO_MUTUAL clusters present {@code tls}'s
   * certificate and expect {@code spiffe://<trustDomain>/ns/<ns>/sa/<sa>} of the endpoint.
   * {@code null} tls is a proxy without certificates (as the other overloads).
   */
  public static Future<MeshProxy> start(Vertx vertx, ProxyOptions options, List<ProxyFilter> extraFilters,
      io.mizzen.proxy.tls.MeshTls tls, String trustDomain) {
    return ProxyServer.start(vertx, options, extraFilters, tls, trustDomain, null);
  }

  /**
   * Starts a sidecar with mutual TLS whose inbound enforces {@code security}: the mTLS mode of
   * each new connection (STRICT closes plain text, DISABLE closes TLS), then RequestAuthentication
   * and authorization on each request; every snapshot applied recompiles it.
   */
  public static Future<MeshProxy> start(Vertx vertx, ProxyOptions options, List<ProxyFilter> extraFilters,
      io.mizzen.proxy.tls.MeshTls tls, String trustDomain, io.mizzen.proxy.authz.InboundSecurity security) {
    return ProxyServer.start(vertx, options, extraFilters, tls, trustDomain, security);
  }
}
