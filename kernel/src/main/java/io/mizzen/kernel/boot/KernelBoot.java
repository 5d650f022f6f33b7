package io.mizzen.kernel.boot;

import io.mizzen.kernel.plugins.PluginActivation;
import io.mizzen.kernel.plugins.PluginHost;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.SpiVersion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots and stops a {@link Kernel}. Order matters: plugins load before functions start, so a
 * function finds every extension it may need; the admin server binds last, so {@code /healthz/ready}
 * never answers for a half-started kernel.
 */
final class KernelBoot implements Kernel, PluginActivation {
  private static final Logger LOG = LoggerFactory.getLogger(Kernel.class);

  private final Vertx vertx;
  private final MeshSettings settings;
  private final Set<Role> roles;
  private final Map<Class<?>, Object> services = KernelContext.newServiceRegistry();
  private final List<MeshFunction> running = new CopyOnWriteArrayList<>();
  private final PluginHost plugins;
  private AdminServer admin;
  private long scanTimer = -1;
  private final io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
  private Future<Void> stopping;

  private KernelBoot(Vertx vertx, MeshSettings settings, Set<Role> roles) {
    this.vertx = vertx;
    this.settings = settings;
    this.roles = Set.copyOf(roles);
    // Kernel-side functions read the typed settings (config folder, agent workload) from here.
    services.put(MeshSettings.class, settings);
    this.plugins = PluginHost.create(vertx, settings.pluginsDir(),
        settings.stateDir().resolve("plugin-work"), SpiVersion.current(), this);
  }

  static Future<Kernel> start(MeshSettings settings, Set<Role> roles) {
    return ClusterBoot.vertx(settings, new VertxOptions()).compose(vertx -> {
      KernelBoot kernel = new KernelBoot(vertx, settings, roles);
      return kernel.boot()
          .<Kernel>map(kernel)
          .recover(failure -> kernel.stop().transform(ignored -> Future.failedFuture(failure)));
    });
  }

  private Future<Void> boot() {
    return plugins.scan()
        .compose(v -> startFunctions(plugins.extensions(MeshFunction.class), true))
        .compose(v -> {
          admin = new AdminServer(this);
          return admin.listen(settings.bindAddress(), settings.ports().admin());
        })
        .onSuccess(v -> {
          long every = settings.pluginScanInterval().toMillis();
          if (every > 0) {
            scanTimer = vertx.setPeriodic(every, id -> plugins.scan());
          }
          LOG.info("mizzen {} ready: functions {}, plugins {}, admin on {}:{}",
              roles.stream().map(Role::cliName).sorted().collect(Collectors.joining("+")),
              running.stream().map(MeshFunction::name).toList(),
              plugins.loaded().stream().map(p -> p.id()).toList(),
              settings.bindAddress(), adminPort());
        });
  }

  private Future<Void> startFunctions(List<MeshFunction> candidates, boolean requireEachRole) {
    List<MeshFunction> mine = candidates.stream()
        .filter(f -> f.roles().stream().anyMatch(roles::contains))
        .sorted(Comparator.comparingInt(MeshFunction::order))
        .toList();
    if (requireEachRole) {
      for (Role role : unservedRoles(candidates, roles)) {
        return Future.failedFuture(new IllegalStateException("no mesh function serves the role '"
            + role.cliName() + "' in this build yet (none of the loaded functions "
            + candidates.stream().map(MeshFunction::name).toList() + " declares it)"));
      }
    }
    Future<Void> chain = Future.succeededFuture();
    for (MeshFunction function : mine) {
      String pluginId = plugins.pluginOf(function);
      chain = chain.compose(v -> {
        Future<Void> started = startOne(function);
        if (pluginId == null || !requireEachRole) {
          return started;
        }
        // At boot a plugin's function that cannot start costs the plugin, not the kernel.
        return started.recover(e -> plugins.evict(pluginId, "an extension failed to start: "
            + e.getMessage()));
      });
    }
    return chain;
  }

  /** The roles among {@code roles} that none of {@code functions} serves, in enum order. */
  static List<Role> unservedRoles(List<MeshFunction> functions, Set<Role> roles) {
    return roles.stream().sorted()
        .filter(role -> functions.stream().noneMatch(f -> f.roles().contains(role)))
        .toList();
  }

  private Future<Void> startOne(MeshFunction function) {
    Role role = function.roles().stream().filter(roles::contains).findFirst().orElseThrow();
    String owner = plugins.pluginOf(function) == null ? function.name() : plugins.pluginOf(function);
    KernelContext context = new KernelContext(vertx, settings, role, plugins, services, owner);
    Future<Void> started;
    try {
      started = function.start(context);
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    return started
        .onSuccess(v -> {
          running.add(function);
          LOG.info("function {} started ({})", function.name(), role.cliName());
        })
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "function " + function.name() + " failed to start: " + e.getMessage(), e)));
  }

  @Override
  public Future<Void> activate(String pluginId, List<Object> extensions) {
    if (admin == null) {
      return Future.succeededFuture(); // first scan: boot() starts every function afterwards
    }
    List<MeshFunction> functions = extensions.stream().filter(MeshFunction.class::isInstance)
        .map(MeshFunction.class::cast).toList();
    return startFunctions(functions, false);
  }

  @Override
  public Future<Void> deactivate(String pluginId, List<Object> extensions) {
    List<Future<Void>> stops = new ArrayList<>();
    for (Object x : extensions) {
      if (x instanceof MeshFunction f && running.remove(f)) {
        stops.add(f.stop());
      }
    }
    return Future.join(stops).mapEmpty();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public MeshSettings settings() {
    return settings;
  }

  @Override
  public PluginHost plugins() {
    return plugins;
  }

  @Override
  public List<MeshFunction> functions() {
    return List.copyOf(running);
  }

  @Override
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  @Override
  public boolean ready() {
    return admin != null && running.stream().allMatch(MeshFunction::ready);
  }

  @Override
  public <T> T lookup(Class<T> type) {
    return type.cast(services.get(type));
  }

  @Override
  public Future<Void> whenStopped() {
    return stopped.future();
  }

  @Override
  public synchronized Future<Void> stop() {
    if (stopping != null) {
      return stopping;
    }
    if (scanTimer >= 0) {
      vertx.cancelTimer(scanTimer);
    }
    Future<Void> chain = admin == null ? Future.succeededFuture() : admin.close();
    List<MeshFunction> reversed = new ArrayList<>(running);
    java.util.Collections.reverse(reversed);
    for (MeshFunction f : reversed) {
      chain = chain.transform(ignored -> f.stop()
          .onFailure(e -> LOG.warn("function {} did not stop cleanly: {}", f.name(), e.getMessage())));
    }
    // Vert.x's close() future is the only one safe to listen to once the event loops are gone,
    // so it is not chained on a context-bound future: the event loop would be dead by then.
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    chain.transform(ignored -> plugins.close())
        .onComplete(ignored -> vertx.close().onComplete(closed -> {
          running.clear();
          stopped.tryComplete();
          done.handle(closed);
        }));
    stopping = done.future();
    return stopping;
  }
}
