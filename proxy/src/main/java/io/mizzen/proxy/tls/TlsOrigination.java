package io.mizzen.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client contexts of a proxy's TLS origination (DestinationRule {@code tls.mode} SIMPLE and
 * MUTUAL), one per distinct {@link UpstreamTls}.
 *
 * <p>{@link #prepare} runs once per snapshot, before its route table goes in force: it reads the
 * files off the event loop and builds a context only for settings that are new or whose files
 * changed; between snapshots {@link #refresh} does the same for the settings in force, so files
 * renewed in place are taken up. Connections then ask {@link #context} (a map lookup, per new
 * connection, never per request). Settings whose files are missing or hold no usable PEM get no context: connections
 * under them fail with the reason, and {@code prepare} reports them so the snapshot's DestinationRule
 * is rejected by name.
 */
public final class TlsOrigination {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");

  /**
   * The client contexts of one setting, or why there are none: {@code context} offers ALPN
   * {@code http/1.1}, {@code h2Context} {@code h2} then {@code http/1.1} (for HTTP/2 clusters).
   * Compared by the identity of the contexts: connections are pooled by it, so contexts rebuilt
   * from changed files never reuse the old ones' connections.
   */
  public record Context(SslContext context, SslContext h2Context, String error) {
    /** The context for a new connection: the one offering h2 when {@code offerH2}. */
    public SslContext forAlpn(boolean offerH2) {
      return offerH2 ? h2Context : context;
    }
  }

  private record Built(String fingerprint, Context context) {}

  /** Only {@link #prepare}'s blocking task touches it; prepares run one at a time. */
  private final Map<UpstreamTls, Built> built = new HashMap<>();
  /** The contexts of the last snapshot prepared, and of the one before for exchanges still routed by it. */
  private volatile Map<UpstreamTls, Context> current = Map.of();
  /** The contexts of the last snapshot prepared alone; only the blocking task touches it. */
  private Map<UpstreamTls, Context> last = Map.of();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  /** Per setting, the files' state {@link #refresh} could not use (said once); only the blocking task touches it. */
  private final Map<UpstreamTls, String> refused = new HashMap<>();

  /**
   * Builds (or keeps) the contexts of the settings a snapshot uses. Call one at a time, in
   * snapshot order.
   *
   * @return a Future of the errors (each naming the DestinationRule, the field and the file),
   *     empty when every setting has its context; it does not fail
   */
  public Future<List<String>> prepare(Vertx vertx, Collection<UpstreamTls> wanted) {
    if (wanted.isEmpty() && current.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Set<UpstreamTls> settings = Set.copyOf(wanted);
    return vertx.executeBlocking(() -> build(settings));
  }

  private List<String> build(Set<UpstreamTls> settings) {
    List<String> errors = new ArrayList<>();
    Map<UpstreamTls, Context> next = new HashMap<>();
    for (UpstreamTls tls : settings) {
      Context c;
      try {
        OriginationContext files = new OriginationContext(tls);
        Built b = built.get(tls);
        if (b == null || !b.fingerprint().equals(files.fingerprint()) || b.context().context() == null) {
          b = new Built(files.fingerprint(), new Context(files.build(false), files.build(true), null));
          built.put(tls, b);
        }
        c = b.context();
      } catch (IllegalArgumentException e) {
        built.remove(tls);
        errors.add(e.getMessage());
        c = new Context(null, null, e.getMessage());
      }
      next.put(tls, c);
    }
    built.keySet().retainAll(settings);
    // Exchanges routed by the previous table may still open connections under its settings.
    Map<UpstreamTls, Context> visible = new HashMap<>(last);
    visible.putAll(next);
    last = Map.copyOf(next);
    current = Map.copyOf(visible);
    errors.sort(null);
    return errors;
  }

  /**
   * Reads the files of the settings in force again and rebuilds the contexts whose files changed
   * (a client certificate or CA bundle renewed in place), for new connections, with no snapshot.
   * A setting whose changed files cannot be used keeps the context it has (logged once per
   * change). Call one at a time with {@link #prepare}.
   *
   * @return completes once done; never fails
   */
  public Future<Void> refresh(Vertx vertx) {
    if (current.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(() -> {
      refreshNow();
      return null;
    }).otherwiseEmpty();
  }

  private void refreshNow() {
    Map<UpstreamTls, Context> next = new HashMap<>(last);
    boolean changed = false;
    for (UpstreamTls tls : last.keySet()) {
      Built b = built.get(tls);
      String fingerprint = null;
      try {
        OriginationContext files = new OriginationContext(tls);
        fingerprint = files.fingerprint();
        if (b != null && b.fingerprint().equals(fingerprint) || refused.get(tls) != null && refused.get(tls).equals(fingerprint)) {
          continue;
        }
        Built rebuilt = new Built(fingerprint, new Context(files.build(false), files.build(true), null));
        built.put(tls, rebuilt);
        next.put(tls, rebuilt.context());
        refused.remove(tls);
        changed = true;
        LOG.log(System.Logger.Level.INFO, tls.source() + ": its TLS files changed; new connections use them");
      } catch (IllegalArgumentException e) {
        String key = fingerprint == null ? "unreadable: " + e.getMessage() : fingerprint;
        if (!key.equals(refused.put(tls, key))) {
          LOG.log(System.Logger.Level.WARNING, e.getMessage() + " (the files changed; the context built before stays in use)");
        }
      }
    }
    if (changed) {
      Map<UpstreamTls, Context> visible = new HashMap<>(current);
      visible.putAll(next);
      last = Map.copyOf(next);
      current = Map.copyOf(visible);
    }
  }

  /** The context for connections under {@code tls}, or why there is none. */
  public Context context(UpstreamTls tls) {
    Context c = current.get(tls);
    return c != null ? c : new Context(null, null, tls.source() + ": no TLS context prepared for it");
  }

  /**
   * A handshake with {@code endpoint} failed: logged the first time only, until one succeeds.
   *
   * @return the reason to answer with
   */
  public String handshakeFailed(String endpoint, UpstreamTls tls, Throwable cause) {
    String reason = "TLS handshake with " + endpoint + " failed (" + tls + "): " + describe(cause);
    if (failing.add(endpoint)) {
      LOG.log(System.Logger.Level.WARNING, reason);
    }
    return reason;
  }

  /** A handshake with {@code endpoint} succeeded: its next failure is logged again. */
  public void handshakeSucceeded(String endpoint) {
    if (!failing.isEmpty()) {
      failing.remove(endpoint);
    }
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    String m = root.getMessage();
    return root == cause || m == null || top.contains(m) ? top : top + ": " + m;
  }
}
