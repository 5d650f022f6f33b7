package io.mizzen.proxy.engine;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.authz.InboundSecurity;
import io.mizzen.proxy.route.SnapshotCompiler;
import io.mizzen.proxy.tls.TlsOrigination;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import java.util.function.BooleanSupplier;

/**
 * How a proxy's snapshots go in force, and the route tables in force. A snapshot's security and
 * routes go in together, or neither does; gateway certificates are read off the event loop and
 * TLS origination files prepared first, and snapshots take effect in the order they were
 * applied. Between snapshots the certificate files are read again every
 * {@link GatewayCertificates#POLL_MILLIS}, until the proxy drains.
 */
final class SnapshotSwaps {
  private final VertxInternal vertx;
  private final ProxyOptions options;
  /** The inbound's security, swapped in with the routes; null when the proxy enforces none. */
  private final InboundSecurity security;
  private final TlsOrigination origination;
  private final GatewayCertificates certificates;
  private final GatewayListeners gatewayListeners;
  private final BooleanSupplier draining;
  private volatile SnapshotCompiler.Compiled compiled;
  private Future<Void> gatewaySwaps = Future.succeededFuture();
  /** The timer reading the gateway and TLS origination files again, -1 before the first snapshot with either. */
  private long certificatePoll = -1;

  SnapshotSwaps(VertxInternal vertx, ProxyOptions options, InboundSecurity security, TlsOrigination origination,
      GatewayCertificates certificates, GatewayListeners gatewayListeners, BooleanSupplier draining) {
    this.vertx = vertx;
    this.options = options;
    this.security = security;
    this.origination = origination;
    this.certificates = certificates;
    this.gatewayListeners = gatewayListeners;
    this.draining = draining;
    this.compiled = SnapshotCompiler.empty(options);
  }

  /** The route tables, clusters and gateway ports in force. */
  SnapshotCompiler.Compiled compiled() {
    return compiled;
  }

  /** Compiles {@code snapshot} and puts it in force ({@link io.mizzen.proxy.MeshProxy#apply}). */
  Future<Void> apply(ProxySnapshot snapshot) {
    if (security == null) {
      return applyRoutes(snapshot, () -> { });
    }
    // Security and routes of one snapshot go in force together, or neither does.
    return security.prepare(snapshot)
        .recover(e -> Future.failedFuture(new IllegalArgumentException("snapshot " + snapshot.version() + " rejected: "
            + e.getMessage(), e)))
        .compose(commit -> applyRoutes(snapshot, commit));
  }

  /** Stops reading the certificate files again (the proxy drains). */
  synchronized void stopPolling() {
    if (certificatePoll >= 0) {
      vertx.cancelTimer(certificatePoll);
    }
  }

  private Future<Void> applyRoutes(ProxySnapshot snapshot, Runnable commitSecurity) {
    try {
      SnapshotCompiler.Compiled previous = compiled;
      SnapshotCompiler.Compiled next = SnapshotCompiler.compile(snapshot, options, previous, previous.inboundCluster());
      boolean gateways = !next.gatewayPorts().isEmpty() || !previous.gatewayPorts().isEmpty();
      boolean originates = !next.upstreamTls().isEmpty() || !previous.upstreamTls().isEmpty();
      synchronized (this) {
        if (gatewaySwaps.isComplete() && !gateways && !originates) {
          return swapIn(snapshot, next, false, commitSecurity);
        }
        // Certificates are files: read off the event loop. A Gateway server whose files are
        // missing rejects the snapshot, naming the server and the file, and the last good one
        // stays. A DestinationRule whose TLS origination files are bad rejects only that rule's
        // TLS (its clusters answer 503 UF): the rest goes in force and the failure names it.
        // Swaps are chained so that snapshots take effect in the order they were applied.
        Future<Void> swap = gatewaySwaps.transform(ignored -> origination.prepare(vertx, next.upstreamTls())
            .compose(tlsErrors -> swapIn(snapshot, next, gateways, commitSecurity)
                .compose(v -> tlsErrors.isEmpty() ? Future.<Void>succeededFuture()
                    : Future.<Void>failedFuture(new IllegalArgumentException("snapshot " + snapshot.version()
                        + " rejected in part (the rest is in force): " + String.join("; ", tlsErrors))))));
        gatewaySwaps = swap;
        pollFiles();
        return swap;
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("snapshot " + snapshot.version() + " rejected: "
          + e.getMessage(), e));
    } catch (RuntimeException e) {
      // A resource the binder let through but the compiler cannot use: still a rejection, never a crash.
      return Future.failedFuture(new IllegalArgumentException("snapshot " + snapshot.version()
          + " rejected: cannot compile it: " + e, e));
    }
  }

  private Future<Void> swapIn(ProxySnapshot snapshot, SnapshotCompiler.Compiled next, boolean gateways,
      Runnable commitSecurity) {
    if (!gateways) {
      compiled = next;
      commitSecurity.run();
      return Future.succeededFuture();
    }
    return vertx.<GatewayCertificates.InForce>executeBlocking(() -> certificates.load(next.gatewayPorts()))
        .recover(e -> Future.failedFuture(new IllegalArgumentException("snapshot " + snapshot.version()
            + " rejected: " + e.getMessage(), e)))
        .compose(loaded -> {
          compiled = next;
          commitSecurity.run();
          certificates.inForce(loaded);
          return gatewayListeners.reconcile(next.gatewayPorts(), loaded.contexts());
        });
  }

  /**
   * Re-reads gateway and origination certificate files every {@link GatewayCertificates#POLL_MILLIS},
   * in turn with the snapshots (a tick while one goes in is skipped: it reads the files itself).
   */
  private synchronized void pollFiles() {
    if (certificatePoll >= 0 || draining.getAsBoolean()) {
      return;
    }
    certificatePoll = vertx.setPeriodic(GatewayCertificates.POLL_MILLIS, t -> {
      synchronized (this) {
        if (!gatewaySwaps.isComplete() || draining.getAsBoolean()) {
          return;
        }
        gatewaySwaps = certificates.refresh().compose(v -> origination.refresh(vertx));
      }
    });
  }
}
