package io.mizzen.proxy.engine;

import io.mizzen.proxy.gateway.GatewayPort;
import io.mizzen.proxy.gateway.GatewayServer;
import io.mizzen.proxy.gateway.GatewayTls;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The TLS contexts of the Gateway servers in force, kept in step with their certificate files:
 * every {@link #POLL_MILLIS} the files are read again (off the event loop), and a server whose
 * files changed — a renewed certificate, as cert-manager or a Kubernetes secret update writes it —
 * gets a context built from them, for its new connections, without waiting for a snapshot. Files
 * caught half-written (a new certificate beside the old key) leave the previous context in force,
 * logged once, and are tried again at the next poll. A snapshot builds every context anew.
 */
final class GatewayCertificates {
  /** How often the certificate files of the servers in force are read again. */
  static final long POLL_MILLIS = 5_000;
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.gateway");

  /** A snapshot's gateway ports, with the contexts in force and the file digests they were built from. */
  record InForce(Map<Integer, GatewayPort> ports, Map<GatewayServer, SslContext> contexts,
      Map<GatewayServer, String> prints) {}

  private final Vertx vertx;
  private final Path credentialsDir;
  private final GatewayListeners listeners;
  private volatile InForce inForce;
  /** Per server, the digest last refused (said once, not at every poll). */
  private final Map<GatewayServer, String> refused = new IdentityHashMap<>();

  GatewayCertificates(Vertx vertx, Path credentialsDir, GatewayListeners listeners) {
    this.vertx = vertx;
    this.credentialsDir = credentialsDir;
    this.listeners = listeners;
  }

  /**
   * Builds the contexts of a snapshot's servers that terminate TLS, with their files' digests.
   * Reads files: off the event loop.
   *
   * @throws IllegalArgumentException naming the server and the file that is missing or unusable
   */
  InForce load(Map<Integer, GatewayPort> ports) {
    // The digests first: files changing while the contexts are built show at the next poll.
    Map<GatewayServer, String> prints = new IdentityHashMap<>();
    ports.values().forEach(p -> p.servers().stream().filter(GatewayServer::terminates)
        .forEach(s -> prints.put(s, GatewayTls.fingerprint(s, credentialsDir))));
    return new InForce(ports, GatewayTls.load(ports.values(), credentialsDir), prints);
  }

  /** What a snapshot put in force: every context built anew. */
  void inForce(InForce now) {
    inForce = now;
    synchronized (refused) {
      refused.clear();
    }
  }

  /**
   * Reads the files of the servers in force again and puts a context built from them in force
   * (on the listeners, for new connections) for each server whose files changed.
   *
   * @return completes once done; never fails
   */
  Future<Void> refresh() {
    InForce current = inForce;
    if (current == null || current.contexts().isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.<InForce>executeBlocking(() -> reload(current)).compose(updated -> {
      if (updated == null) {
        return Future.<Void>succeededFuture();
      }
      inForce = updated;
      return listeners.reconcile(updated.ports(), updated.contexts());
    }).recover(e -> {
      LOG.log(System.Logger.Level.WARNING, "gateway certificate check failed: " + e);
      return Future.succeededFuture();
    });
  }

  private InForce reload(InForce current) {
    Map<GatewayServer, SslContext> contexts = null;
    Map<GatewayServer, String> prints = null;
    for (Map.Entry<GatewayServer, String> e : current.prints().entrySet()) {
      GatewayServer s = e.getKey();
      String now = GatewayTls.fingerprint(s, credentialsDir);
      if (now.equals(e.getValue())) {
        continue;
      }
      synchronized (refused) {
        if (now.equals(refused.get(s))) {
          continue;
        }
      }
      SslContext rebuilt;
      try {
        rebuilt = GatewayTls.context(s, credentialsDir);
      } catch (IllegalArgumentException failure) {
        synchronized (refused) {
          refused.put(s, now);
        }
        LOG.log(System.Logger.Level.WARNING, s.where() + ": its certificate files changed but cannot be used ("
            + failure.getMessage() + "); the previous TLS context stays in force until they can");
        continue;
      }
      if (contexts == null) {
        contexts = new IdentityHashMap<>(current.contexts());
        prints = new IdentityHashMap<>(current.prints());
      }
      contexts.put(s, rebuilt);
      prints.put(s, now);
      LOG.log(System.Logger.Level.INFO, s.where() + ": certificate files changed; new connections get the new TLS context");
    }
    return contexts == null ? null : new InForce(current.ports(), contexts, prints);
  }
}
