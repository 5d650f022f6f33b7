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
    return ProxyServer.start(vertx, options, List.of());
  }

  /** Starts a proxy whose chain ends with extra filters (extension HttpFilters). */
  public static Future<MeshProxy> start(Vertx vertx, ProxyOptions options, List<ProxyFilter> extraFilters) {
    return ProxyServer.start(vertx, options, extraFilters);
  }
}
