package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.config.SourceLocation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's state on disk: one JSON file, replaced atomically (write a temporary file beside
 * it, then move it over with ATOMIC_MOVE), so a crash leaves either the old or the new state,
 * never half of one. Uses Vert.x's asynchronous file system: nothing here blocks an event loop.
 */
final class StateFile {
  private final Vertx vertx;
  private final Path file;
  private final Path temp;

  StateFile(Vertx vertx, Path dir, String name) {
    this.vertx = vertx;
    this.file = dir.resolve(name);
    this.temp = dir.resolve(name + ".tmp");
  }

  Path path() {
    return file;
  }

  /** The persisted snapshot, or the empty one when nothing was persisted yet. */
  Future<ConfigSnapshot> read() {
    var fs = vertx.fileSystem();
    return fs.mkdirs(file.getParent().toString())
        .compose(v -> fs.exists(file.toString()))
        .compose(exists -> exists
            ? fs.readFile(file.toString()).map(this::decode)
            : Future.succeededFuture(new ConfigSnapshot(0, Map.of())));
  }

  /** Writes {@code snapshot} atomically; completes once it is in place. */
  Future<Void> write(ConfigSnapshot snapshot) {
    Buffer data = encode(snapshot);
    var fs = vertx.fileSystem();
    return fs.writeFile(temp.toString(), data)
        .compose(v -> fs.move(temp.toString(), file.toString(),
            new CopyOptions().setAtomicMove(true).setReplaceExisting(true)));
  }

  private Buffer encode(ConfigSnapshot snapshot) {
    JsonArray resources = new JsonArray();
    for (Resource r : snapshot.resources().values()) {
      SourceLocation at = r.location() == null ? SourceLocation.unknown("") : r.location();
      resources.add(new JsonObject()
          .put("apiVersion", r.apiVersion()).put("kind", r.kind()).put("name", r.name())
          .put("namespace", r.namespace()).put("labels", new JsonObject(new LinkedHashMap<>(r.labels())))
          .put("annotations", new JsonObject(new LinkedHashMap<>(r.annotations())))
          .put("spec", new JsonObject(r.spec()))
          .put("origin", at.origin()).put("documentIndex", at.documentIndex()).put("line", at.line())
          .put("fieldLines", new JsonObject(new LinkedHashMap<>(at.fieldLines()))));
    }
    return new JsonObject().put("version", snapshot.version()).put("resources", resources).toBuffer();
  }

  @SuppressWarnings("unchecked")
  private ConfigSnapshot decode(Buffer data) {
    JsonObject json;
    try {
      json = new JsonObject(data);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the config store state " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    Map<ResourceKey, Resource> resources = new LinkedHashMap<>();
    for (Object o : json.getJsonArray("resources", new JsonArray())) {
      JsonObject j = (JsonObject) o;
      Map<String, Integer> lines = new LinkedHashMap<>();
      j.getJsonObject("fieldLines", new JsonObject()).getMap().forEach((k, v) -> lines.put(k, ((Number) v).intValue()));
      Resource r = new Resource(j.getString("apiVersion"), j.getString("kind"), j.getString("name"),
          j.getString("namespace"), (Map<String, String>) (Map<?, ?>) j.getJsonObject("labels", new JsonObject()).getMap(),
          (Map<String, String>) (Map<?, ?>) j.getJsonObject("annotations", new JsonObject()).getMap(),
          plain(j.getJsonObject("spec", new JsonObject()).getMap()),
          new SourceLocation(j.getString("origin", ""), j.getInteger("documentIndex", 0), j.getInteger("line", 0), lines));
      resources.put(r.key(), r);
    }
    return new ConfigSnapshot(json.getLong("version", 0L), resources);
  }

  /** JSON decoding may leave JsonObject/JsonArray wrappers inside; specs hold plain maps and lists. */
  @SuppressWarnings("unchecked")
  private static <T> T plain(Object value) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return (T) java.util.Collections.unmodifiableMap(out);
    }
    if (value instanceof List<?> l) {
      return (T) java.util.Collections.unmodifiableList(l.stream().map(StateFile::plain).collect(java.util.stream.Collectors.toList()));
    }
    return (T) value;
  }
}
