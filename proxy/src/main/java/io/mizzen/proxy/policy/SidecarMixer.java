package io.mizzen.proxy.policy;

import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.QuotaPrefetch;
import io.mizzen.spi.mixer.UnreachableMixerPolicy;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * Which Mixer a sidecar's {@link MixerHook} checks with, and what happens when it cannot:
 * the embedded engine when the sidecar runs one, else the control plane's over gRPC, fronted by
 * the check cache either way. A remote Mixer is guarded by the workload's
 * {@link UnreachableMixerPolicy}: a Check that fails or takes longer than {@code mixerCheckTimeout}
 * lets the request through ({@code mixerFailOpen: true}) or answers 503
 * {@code UNAVAILABLE:mixer unreachable: …} (the default, as Istio's {@code policyCheckFailOpen:
 * false}). The same policy holds before the first connection: the client keeps trying (250 ms,
 * doubling up to 5 s) and, until it is in, requests pass or get 503 by that policy, so a sidecar
 * that starts before its control plane is never left unchecked for good.
 *
 * <p>Settings ({@code plugins.settings.proxy}): {@code mixer} ({@code host:port}, or {@code off}
 * for no policy checks; by default the control plane's host, from the agent's
 * {@code ControlPlaneAddress}, on the mesh's Mixer port), {@code mixerCheckCache} (false: every request asks Mixer),
 * {@code mixerCheckCacheTtl} (the longest a cached verdict is reused, 2 s), {@code mixerFailOpen}
 * (false), {@code mixerCheckTimeout} (1 s), {@code mixerQuotaPrefetch} (0: every request charged
 * a quota asks Mixer; n: each such check asks for n more units, best effort, and the proxy grants
 * the next agreeing requests from them; see {@link QuotaPrefetch} for the allowance this adds).
 * A setting that cannot be read stops the sidecar's start with its name ({@code ProxyFunction}),
 * rather than leaving the workload's policy unchecked.
 */
public final class SidecarMixer {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.policy");
  /** The longest a cached Check verdict is reused when no answer from Mixer told of a new config. */
  public static final Duration DEFAULT_CHECK_CACHE_TTL = Duration.ofSeconds(2);
  /** How long a remote Check may take before Mixer counts as unreachable. */
  public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(1);
  private static final long FIRST_RETRY_MS = 250;
  private static final long LAST_RETRY_MS = 5_000;

  /**
   * The sidecar's Mixer settings.
   *
   * @param address the remote Mixer, {@code host:port}; null for none ({@code off})
   */
  public record Settings(SocketAddress address, boolean cached, Duration cacheTtl, boolean failOpen,
                         Duration checkTimeout, long quotaPrefetch) {

    /** As {@link #of(Map, String, int)} with the control plane on 127.0.0.1. */
    public static Settings of(Map<String, Object> settings, int defaultPort) {
      return of(settings, "127.0.0.1", defaultPort);
    }

    /**
     * Reads {@code settings} (the proxy's); when {@code mixer} is not set, Mixer is at
     * {@code defaultHost} (the control plane's) on {@code defaultPort} (the mesh's Mixer port).
     *
     * @throws IllegalArgumentException naming the setting that is wrong and why
     */
    public static Settings of(Map<String, Object> settings, String defaultHost, int defaultPort) {
      Object setting = settings.get("mixer");
      String address = setting == null ? defaultHost + ":" + defaultPort : setting.toString().trim();
      SocketAddress remote = address.equals("off") ? null : hostPort(address);
      Duration ttl = duration(settings, "mixerCheckCacheTtl", DEFAULT_CHECK_CACHE_TTL);
      Duration timeout = duration(settings, "mixerCheckTimeout", DEFAULT_CHECK_TIMEOUT);
      return new Settings(remote, bool(settings, "mixerCheckCache", true), ttl, bool(settings, "mixerFailOpen", false),
          timeout, count(settings, "mixerQuotaPrefetch"));
    }

    private static long count(Map<String, Object> settings, String key) {
      Object v = settings.get(key);
      if (v == null) {
        return 0;
      }
      try {
        long n = Long.parseLong(v.toString().trim());
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("plugins.settings.proxy." + key + ": '" + v + "' is not a count (0 or more)");
      }
    }

    private static SocketAddress hostPort(String address) {
      int colon = address.lastIndexOf(':');
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        if (colon <= 0 || port < 1 || port > 65_535) {
          throw new NumberFormatException();
        }
        return SocketAddress.inetSocketAddress(port, address.substring(0, colon));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("plugins.settings.proxy.mixer: '" + address
            + "' is not host:port (or off)");
      }
    }

    private static boolean bool(Map<String, Object> settings, String key, boolean otherwise) {
      Object v = settings.get(key);
      if (v == null) {
        return otherwise;
      }
      String s = v.toString().trim().toLowerCase(Locale.ROOT);
      if (!s.equals("true") && !s.equals("false")) {
        throw new IllegalArgumentException("plugins.settings.proxy." + key + ": '" + v + "' is not true or false");
      }
      return Boolean.parseBoolean(s);
    }

    private static Duration duration(Map<String, Object> settings, String key, Duration otherwise) {
      Object v = settings.get(key);
      if (v == null) {
        return otherwise;
      }
      String s = v.toString().trim();
      Duration d;
      try {
        d = s.startsWith("P") || s.startsWith("p") ? Duration.parse(s) : AttributeValues.duration(s);
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new IllegalArgumentException("plugins.settings.proxy." + key + ": '" + s + "' is not a duration (such as 2s)");
      }
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("plugins.settings.proxy." + key + ": must be positive, not " + s);
      }
      return d;
    }
  }

  private final Vertx vertx;
  private final MixerHook hook;
  private final Settings settings;
  private GrpcClient grpc;
  private volatile boolean closed;
  private long retryTimer = -1;

  private SidecarMixer(Vertx vertx, MixerHook hook, Settings settings) {
    this.vertx = vertx;
    this.hook = hook;
    this.settings = settings;
  }

  /**
   * Starts checking {@code hook}'s inbound requests: with {@code embedded} at once when it is not
   * null, else with the remote Mixer of {@code settings} once it answers (nothing when the
   * setting is {@code off}).
   */
  public static SidecarMixer start(Vertx vertx, MixerHook hook, Mixer embedded, Settings settings) {
    SidecarMixer s = new SidecarMixer(vertx, hook, settings);
    if (embedded != null) {
      // The engine in this process says its config version, so its verdicts are cached as a
      // remote Mixer's are, and dropped the moment another version is in force. Its adapters'
      // timeouts and fail policy are the engine's own (plugins.settings.mixer).
      s.use(embedded);
    } else if (settings.address() != null) {
      s.grpc = GrpcClient.client(vertx);
      hook.withoutMixer(settings.failOpen(), "no connection to Mixer at " + settings.address() + " yet");
      s.connect(FIRST_RETRY_MS);
    }
    return s;
  }

  private void use(Mixer mixer) {
    if (settings.cached()) {
      hook.use(mixer, () -> CheckCache.create(10_000, settings.cacheTtl(), System::nanoTime));
    } else {
      hook.use(mixer);
    }
  }

  private void connect(long nextDelayMs) {
    SocketAddress address = settings.address();
    RemoteMixer.connect(grpc, address).onComplete(r -> {
      if (closed) {
        return;
      }
      if (r.succeeded()) {
        // Verdicts are cached by the attributes they referenced, as Istio's proxy did. A policy
        // change reaches the cache through the config generation Mixer's answers carry (checks
        // and the report batches, at most REPORT_DELAY apart under traffic); no verdict is
        // reused longer than mixerCheckCacheTtl whatever Mixer allowed. The guard's own answers
        // (Mixer unreachable) are never cached.
        Mixer guarded = UnreachableMixerPolicy.guard(vertx, r.result(), settings.failOpen(), settings.checkTimeout());
        // Requests charged a quota are never answered from the check cache; with a prefetch
        // they are granted from units asked for ahead (QuotaPrefetch; its own cache serves
        // requests that name quotas, which a sidecar's do not).
        use(settings.quotaPrefetch() == 0 ? guarded : QuotaPrefetch.front(guarded,
            CheckCache.create(10_000, settings.cacheTtl(), System::nanoTime), settings.quotaPrefetch(),
            settings.cacheTtl(), System::nanoTime));
        LOG.log(System.Logger.Level.INFO, "proxy: checking with Mixer at " + address);
        return;
      }
      if (nextDelayMs == FIRST_RETRY_MS) {
        LOG.log(System.Logger.Level.WARNING, "proxy: Mixer at " + address + " not reached (" + r.cause().getMessage()
            + "); trying again, and meanwhile requests " + (settings.failOpen() ? "pass unchecked (mixerFailOpen)"
            : "get 503 UNAVAILABLE (fail closed)"));
      }
      hook.withoutMixer(settings.failOpen(), "Mixer at " + address + " not reached: " + r.cause().getMessage());
      retryTimer = vertx.setTimer(nextDelayMs, t -> connect(Math.min(nextDelayMs * 2, LAST_RETRY_MS)));
    });
  }

  /** Stops connecting and closes the gRPC client (after {@link MixerHook#close()}, which sends the last reports). */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(retryTimer);
    GrpcClient g = grpc;
    return g == null ? Future.succeededFuture() : g.close();
  }
}
