package io.mizzen.kernel.plugins;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PluginHost} on PF4J's {@link DefaultPluginManager}. The host, not PF4J, walks the folder,
 * so that each file is judged on its own and a refusal carries the file's name and the reason.
 */
final class Pf4jPluginHost implements PluginHost {
  private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

  private final Vertx vertx;
  private final Path pluginsDir;
  private final PluginManager manager;
  private final PluginFileCheck fileCheck;
  private final PluginActivation activation;

  /** File → what the host did with it, as of the last scan (only touched in the scan chain). */
  private final Map<Path, FileState> files = new LinkedHashMap<>();
  private final Map<Object, String> owners = new IdentityHashMap<>();
  private volatile List<Object> systemExtensions;
  private volatile Map<String, PluginEntry> plugins = Map.of();
  private volatile List<PluginRefusal> refusals = List.of();
  private Future<Void> running = Future.succeededFuture();

  Pf4jPluginHost(Vertx vertx, Path pluginsDir, Path workDir, String spiVersion,
      PluginActivation activation) {
    this.vertx = vertx;
    this.pluginsDir = pluginsDir;
    this.activation = activation;
    this.manager = new DefaultPluginManager(pluginsDir);
    this.fileCheck = new PluginFileCheck(manager, spiVersion, workDir);
  }

  @Override
  public synchronized Future<Void> scan() {
    // Scans are chained so two never interleave (a timer tick during a slow scan waits its turn).
    running = running.transform(ignored -> doScan());
    return running;
  }

  private Future<Void> doScan() {
    Future<Void> system = systemExtensions != null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
            systemExtensions = instantiate(null);
            return null;
          });
    return system.compose(v -> vertx.executeBlocking(this::listFolder)).compose(found -> {
      Future<Void> chain = Future.succeededFuture();
      for (Path gone : new ArrayList<>(files.keySet())) {
        if (!found.containsKey(gone)) {
          chain = chain.compose(v -> remove(gone));
        }
      }
      for (Map.Entry<Path, FileStamp> e : found.entrySet()) {
        FileState known = files.get(e.getKey());
        if (known == null) {
          chain = chain.compose(v -> add(e.getKey(), e.getValue()));
        } else if (!known.stamp().equals(e.getValue())) {
          chain = chain.compose(v -> remove(e.getKey())).compose(v -> add(e.getKey(), e.getValue()));
        }
      }
      return chain;
    });
  }

  private Map<Path, FileStamp> listFolder() throws IOException {
    Map<Path, FileStamp> found = new LinkedHashMap<>();
    if (!Files.isDirectory(pluginsDir)) {
      return found;
    }
    try (Stream<Path> list = Files.list(pluginsDir)) {
      for (Path p : list.sorted().toList()) {
        String name = p.getFileName().toString();
        if (Files.isRegularFile(p) && (name.endsWith(".jar") || name.endsWith(".zip"))) {
          found.put(p, new FileStamp(Files.getLastModifiedTime(p).toMillis(), Files.size(p)));
        }
      }
    }
    return found;
  }

  private Future<Void> add(Path file, FileStamp stamp) {
    Future<PluginEntry> loaded = vertx.executeBlocking(() -> load(file));
    return loaded.compose(entry -> activation.activate(entry.plugin().id(), entry.extensions())
            .map(entry)
            .recover(failure -> vertx.executeBlocking(() -> unload(entry))
                .transform(ignored -> Future.failedFuture(new PluginRefusedException(
                    "an extension failed to start: " + describe(failure))))))
        .andThen(result -> {
          if (result.succeeded()) {
            PluginEntry entry = result.result();
            files.put(file, new FileState(stamp, entry.plugin().id()));
            Map<String, PluginEntry> next = new LinkedHashMap<>(plugins);
            next.put(entry.plugin().id(), entry);
            plugins = Map.copyOf(next);
            LOG.info("plugin {} {} loaded from {} with {}", entry.plugin().id(),
                entry.plugin().version(), file.getFileName(), entry.plugin().extensions());
          } else {
            files.put(file, new FileState(stamp, null));
            refuse(file, describe(result.cause()));
          }
        })
        .<Void>mapEmpty()
        .recover(ignored -> Future.<Void>succeededFuture());
  }

  private Future<Void> remove(Path file) {
    FileState state = files.remove(file);
    refusals = refusals.stream().filter(r -> !r.file().equals(file)).toList();
    if (state == null || state.pluginId() == null) {
      return Future.succeededFuture();
    }
    PluginEntry entry = plugins.get(state.pluginId());
    Map<String, PluginEntry> next = new LinkedHashMap<>(plugins);
    next.remove(state.pluginId());
    plugins = Map.copyOf(next);
    return activation.deactivate(entry.plugin().id(), entry.extensions())
        .onFailure(e -> LOG.warn("plugin {}: stopping its extensions failed: {}",
            entry.plugin().id(), describe(e)))
        .transform(ignored -> vertx.executeBlocking(() -> unload(entry)))
        .onSuccess(v -> LOG.info("plugin {} unloaded ({} removed)", entry.plugin().id(),
            file.getFileName()));
  }

  /** Blocking: checks the file, loads it into PF4J and creates its extensions. */
  private PluginEntry load(Path file) {
    Path loadable = fileCheck.check(file, plugins);
    String id;
    try {
      id = manager.loadPlugin(loadable);
      manager.startPlugin(id);
    } catch (RuntimeException e) {
      throw new PluginRefusedException("PF4J cannot load it: " + describe(e));
    }
    List<Object> extensions;
    try {
      extensions = instantiate(id);
    } catch (PluginRefusedException e) {
      manager.unloadPlugin(id);
      throw e;
    }
    if (extensions.isEmpty()) {
      manager.unloadPlugin(id);
      throw new PluginRefusedException("it has no extensions of a Mizzen extension point "
          + "(is META-INF/extensions.idx missing? compile with PF4J's annotation processor)");
    }
    PluginDescriptor d = manager.getPlugin(id).getDescriptor();
    List<LoadedPlugin.ExtensionInfo> infos = extensions.stream().map(Pf4jPluginHost::info).toList();
    LoadedPlugin plugin = new LoadedPlugin(id, d.getVersion(), d.getRequires(), d.getProvider(),
        file, infos);
    synchronized (owners) {
      extensions.forEach(x -> owners.put(x, id));
    }
    return new PluginEntry(plugin, extensions);
  }

  private Void unload(PluginEntry entry) {
    synchronized (owners) {
      entry.extensions().forEach(owners::remove);
    }
    manager.unloadPlugin(entry.plugin().id());
    return null;
  }

  /** Blocking: one instance of every extension class of {@code pluginId} (null: the classpath). */
  private List<Object> instantiate(String pluginId) {
    List<Object> result = new ArrayList<>();
    for (Class<?> point : EXTENSION_POINTS) {
      for (Class<?> cls : manager.getExtensionClasses(point, pluginId)) {
        if (result.stream().anyMatch(x -> x.getClass() == cls)) {
          continue;
        }
        try {
          result.add(manager.getExtensionFactory().create(cls));
        } catch (RuntimeException | LinkageError e) {
          throw new PluginRefusedException("extension " + cls.getName() + " cannot be created: "
              + describe(e));
        }
      }
    }
    return result;
  }

  private static LoadedPlugin.ExtensionInfo info(Object extension) {
    String point = EXTENSION_POINTS.stream().filter(p -> p.isInstance(extension))
        .map(Class::getSimpleName).reduce((a, b) -> a + "," + b).orElse("?");
    return new LoadedPlugin.ExtensionInfo(point, extension.getClass().getName(), nameOf(extension));
  }

  /** The {@code name()} every Mizzen extension point declares. */
  static String nameOf(Object extension) {
    if (extension instanceof io.mizzen.spi.MeshFunction f) {
      return f.name();
    } else if (extension instanceof io.mizzen.spi.discovery.ServiceRegistry r) {
      return r.name();
    } else if (extension instanceof io.mizzen.spi.config.ConfigSource s) {
      return s.name();
    } else if (extension instanceof io.mizzen.spi.ca.CertificateAuthority c) {
      return c.name();
    } else if (extension instanceof io.mizzen.spi.ca.IdentityVerifier v) {
      return v.name();
    } else if (extension instanceof io.mizzen.spi.mixer.MixerAdapter a) {
      return a.name();
    } else if (extension instanceof io.mizzen.spi.filter.HttpFilter h) {
      return h.name();
    }
    return extension.getClass().getName();
  }

  private void refuse(Path file, String reason) {
    PluginRefusal refusal = new PluginRefusal(file, reason, Instant.now());
    List<PluginRefusal> next = new ArrayList<>(refusals);
    next.removeIf(r -> r.file().equals(file));
    next.add(refusal);
    refusals = List.copyOf(next);
    LOG.error("{}", refusal);
  }

  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (!sb.isEmpty()) {
        sb.append(" <- ");
      }
      String msg = t.getMessage();
      sb.append(t instanceof PluginRefusedException ? "" : t.getClass().getSimpleName() + ": ")
          .append(msg == null ? "(no message)" : msg);
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.toString();
  }

  @Override
  public synchronized Future<Void> evict(String pluginId, String reason) {
    running = running.transform(ignored -> {
      Path file = files.entrySet().stream()
          .filter(e -> pluginId.equals(e.getValue().pluginId()))
          .map(Map.Entry::getKey).findFirst().orElse(null);
      if (file == null) {
        return Future.succeededFuture();
      }
      FileState state = files.get(file);
      return remove(file).andThen(v -> {
        files.put(file, new FileState(state.stamp(), null));
        refuse(file, reason);
      });
    });
    return running;
  }

  @Override
  public List<LoadedPlugin> loaded() {
    return plugins.values().stream().map(PluginEntry::plugin).toList();
  }

  @Override
  public List<PluginRefusal> refused() {
    return refusals;
  }

  @Override
  public <T> List<T> extensions(Class<T> point) {
    List<T> result = new ArrayList<>();
    List<Object> system = systemExtensions;
    if (system != null) {
      system.stream().filter(point::isInstance).map(point::cast).forEach(result::add);
    }
    for (PluginEntry entry : plugins.values()) {
      entry.extensions().stream().filter(point::isInstance).map(point::cast).forEach(result::add);
    }
    return result;
  }

  @Override
  public String pluginOf(Object extension) {
    synchronized (owners) {
      return owners.get(extension);
    }
  }

  @Override
  public synchronized Future<Void> close() {
    Promise<Void> done = Promise.promise();
    running = running.transform(ignored -> {
      Future<Void> chain = Future.succeededFuture();
      for (Path file : new ArrayList<>(files.keySet())) {
        chain = chain.compose(v -> remove(file));
      }
      return chain;
    }).onComplete(done);
    return done.future();
  }

  private record FileStamp(long modified, long size) {}

  private record FileState(FileStamp stamp, String pluginId) {}

  record PluginEntry(LoadedPlugin plugin, List<Object> extensions) {}
}
