package io.mizzen.plugins.discovery.file;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.discovery.RegistrySink;
import io.mizzen.spi.discovery.ServiceRegistry;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Discovery source {@code file}: the workloads listed in the YAML file named by the settings
 * ({@code plugins.settings.discovery-file.path}), re-read when its size or time changes (checked
 * every {@code interval}, 1 s). A bad edit is logged with its problems and the last good
 * workloads stay.
 */
@Extension
public class FileRegistry implements ServiceRegistry {
  static final String SETTINGS = "discovery-file";
  private static final System.Logger LOG = System.getLogger(FileRegistry.class.getName());
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  private MeshContext context;
  private long timer = -1;
  private volatile String seen = "";
  private volatile boolean reading;

  @Override
  public String name() {
    return "file";
  }

  /**
   * Completes after the file's workloads were first reported; fails when the settings are wrong
   * (naming the field) or the file cannot be read or parsed (naming file and field or line).
   */
  @Override
  public Future<Void> start(MeshContext ctx, RegistrySink sink) {
    this.context = ctx;
    Map<String, Object> settings = ctx.settings(SETTINGS);
    Object pathSetting = settings.get("path");
    if (settings.isEmpty()) {
      // Shipped in every distribution; without settings it has nothing to read and stays quiet.
      sink.replaceAll(java.util.List.of());
      return Future.succeededFuture();
    }
    if (!(pathSetting instanceof String p) || p.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException(
          "plugins.settings." + SETTINGS + ".path: required, the YAML file listing the workloads"));
    }
    long every;
    try {
      every = millis(settings.getOrDefault("interval", "1s"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Path file = Path.of(p).toAbsolutePath();
    for (String key : settings.keySet()) {
      if (!key.equals("path") && !key.equals("interval")) {
        return Future.failedFuture(new IllegalArgumentException("plugins.settings." + SETTINGS + "." + key
            + ": unknown field (expected interval, path)"));
      }
    }
    return read(file, sink)
        .recover(e -> Future.failedFuture(new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e)))
        .compose(problems -> problems == null ? Future.succeededFuture()
            : Future.<Void>failedFuture(new IllegalArgumentException(String.join("; ", problems))))
        .onSuccess(v -> timer = ctx.vertx().setPeriodic(every, id -> {
          if (!reading) {
            read(file, sink).onComplete(r -> {
              if (r.failed()) {
                LOG.log(System.Logger.Level.WARNING, file + ": cannot read, the last good workloads stay: "
                    + r.cause().getMessage());
              } else if (r.result() != null) {
                LOG.log(System.Logger.Level.WARNING, file + ": the last good workloads stay: " + r.result());
              }
            });
          }
        }));
  }

  static long millis(Object v) {
    Matcher m = DURATION.matcher(String.valueOf(v));
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException("plugins.settings." + SETTINGS + ".interval: '" + v
          + "' is not a positive duration such as 500ms, 1s or 1m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1000;
      default -> n * 60_000;
    };
  }

  /** Re-reads the file if it changed; completes with its problems, or null when none (or unchanged). */
  private Future<java.util.List<String>> read(Path file, RegistrySink sink) {
    reading = true;
    return context.executeBlocking(() -> {
      String stamp = Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
      if (stamp.equals(seen)) {
        return null;
      }
      WorkloadFile.Parsed parsed = WorkloadFile.parse(file.toString(), Files.readString(file));
      seen = stamp;
      return parsed;
    }).map(parsed -> {
      if (parsed == null) {
        return (java.util.List<String>) null;
      }
      if (!parsed.problems().isEmpty()) {
        return parsed.problems();
      }
      sink.replaceAll(parsed.instances());
      return (java.util.List<String>) null;
    }).andThen(r -> reading = false);
  }

  /** Stops checking the file. */
  @Override
  public Future<Void> stop() {
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    return Future.succeededFuture();
  }
}
