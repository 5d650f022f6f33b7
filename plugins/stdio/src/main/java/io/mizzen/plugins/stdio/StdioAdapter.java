package io.mizzen.plugins.stdio;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Istio's {@code stdio} adapter. Params (Istio's names; camelCase or snake_case):
 * {@code logStream} (STDOUT, STDERR, FILE, ROTATED_FILE; default STDOUT), {@code severityLevels}
 * (severity text → 0 INFO, 1 WARNING, 2 ERROR), {@code metricLevel}, {@code outputLevel} (INFO,
 * WARNING, ERROR; lines below it are dropped), {@code outputAsJson} (default true here, as in
 * Istio's default config), {@code outputPath}, {@code maxMegabytesBeforeRotation} (100),
 * {@code maxBackupsBeforeRemoval} (1000); and Mizzen's own {@code maxBytesBeforeRotation}, which
 * wins over the megabytes when set.
 */
@Extension
public class StdioAdapter implements MixerAdapter {
  static final List<String> LEVELS = List.of("INFO", "WARNING", "ERROR");

  /** Where lines go. */
  enum Stream { STDOUT, STDERR, FILE, ROTATED_FILE }

  /** Validated params. */
  record Params(Stream stream, Map<String, Integer> severityLevels, int metricLevel, int outputLevel,
      boolean json, Path outputPath, long rotationBytes, int maxBackups) {

    static Params read(Map<String, Object> raw) {
      AdapterParams p = AdapterParams.of(camel(raw));
      return read(p);
    }

    static Params read(AdapterParams p) {
      p.only("logStream", "severityLevels", "metricLevel", "outputLevel", "outputAsJson", "outputPath",
          "maxMegabytesBeforeRotation", "maxDaysBeforeRotation", "maxBackupsBeforeRemoval", "maxBytesBeforeRotation");
      Stream stream = Stream.valueOf(p.choice("logStream", "STDOUT", "STDOUT", "STDERR", "FILE", "ROTATED_FILE"));
      Map<String, Integer> severities = new LinkedHashMap<>();
      p.stringMap("severityLevels").forEach((k, v) -> {
        int level = level(p, "severityLevels." + k, v);
        severities.put(k.toLowerCase(Locale.ROOT), level);
      });
      int metricLevel = level(p, "metricLevel", p.string("metricLevel", "INFO"));
      int outputLevel = level(p, "outputLevel", p.string("outputLevel", "INFO"));
      String path = p.string("outputPath", "");
      if ((stream == Stream.FILE || stream == Stream.ROTATED_FILE) && path.isEmpty()) {
        p.error("outputPath", "is required when logStream is " + stream);
      }
      long megabytes = p.integer("maxMegabytesBeforeRotation", 100, 1, Long.MAX_VALUE >> 20);
      long bytes = p.integer("maxBytesBeforeRotation", megabytes * 1024 * 1024, 1);
      int backups = (int) p.integer("maxBackupsBeforeRemoval", 1000, 0, Integer.MAX_VALUE);
      return new Params(stream, Map.copyOf(severities), metricLevel, outputLevel, p.bool("outputAsJson", true),
          path.isEmpty() ? null : Path.of(path), bytes, backups);
    }

    /** A level given by name (INFO) or number (0). */
    private static int level(AdapterParams p, String field, String v) {
      String u = v.toUpperCase(Locale.ROOT);
      if (LEVELS.contains(u)) {
        return LEVELS.indexOf(u);
      }
      if (u.equals("WARN")) {
        return 1;
      }
      if (u.matches("[0-2]")) {
        return Integer.parseInt(u);
      }
      p.error(field, "must be INFO, WARNING or ERROR (or 0, 1, 2), not " + v);
      return 0;
    }
  }

  /** Istio accepts both JSON spellings of its proto fields; Mizzen reads both too. */
  static Map<String, Object> camel(Map<String, Object> raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> {
      StringBuilder b = new StringBuilder();
      boolean up = false;
      for (char c : k.toCharArray()) {
        if (c == '_') {
          up = true;
        } else {
          b.append(up ? Character.toUpperCase(c) : c);
          up = false;
        }
      }
      out.put(b.toString(), v);
    });
    return out;
  }

  @Override
  public String name() {
    return "stdio";
  }

  @Override
  public Set<String> templates() {
    return Set.of("logentry", "metric");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(camel(params));
    Params.read(p);
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    Params p = Params.read(params);
    LogSink sink = LogSink.of(p, context);
    LogLines lines = new LogLines(p);
    return Future.succeededFuture(new Handler() {
      @Override
      public Future<Void> report(List<Instance> instances) {
        List<String> out = new ArrayList<>(instances.size());
        for (Instance i : instances) {
          String line = lines.format(i);
          if (line != null) {
            out.add(line);
          }
        }
        return out.isEmpty() ? Future.succeededFuture() : sink.write(out);
      }

      @Override
      public Future<Void> close() {
        return sink.close();
      }
    });
  }
}
