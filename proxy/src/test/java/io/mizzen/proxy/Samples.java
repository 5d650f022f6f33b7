package io.mizzen.proxy;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Reads Istio YAML (the shared samples or inline text) into Resources, as the config store would. */
public final class Samples {
  private Samples() {}

  static Path shared() {
    String prop = System.getProperty("mizzen.shared");
    Path p = prop != null ? Path.of(prop) : Path.of("../shared");
    if (!Files.isDirectory(p.resolve("istio-samples"))) {
      p = Path.of("/work/shared");
    }
    return p;
  }

  /** The resources of a Bookinfo networking sample, such as {@code virtual-service-all-v1.yaml}. */
  static List<Resource> bookinfo(String file) {
    return istio("bookinfo/networking/" + file);
  }

  /** The resources of any shared Istio sample, such as {@code tcp-echo/tcp-echo-20-v2.yaml}. */
  static List<Resource> istio(String file) {
    Path path = shared().resolve("istio-samples").resolve(file);
    try {
      return parse(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + path, e);
    }
  }

  @SuppressWarnings("unchecked")
  public static List<Resource> parse(String yaml, String origin) {
    List<Resource> out = new ArrayList<>();
    int index = 0;
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (doc instanceof Map<?, ?> map) {
        Map<String, Object> m = (Map<String, Object>) map;
        Map<String, Object> meta = (Map<String, Object>) m.getOrDefault("metadata", Map.of());
        out.add(new Resource((String) m.get("apiVersion"), (String) m.get("kind"), (String) meta.get("name"),
            (String) meta.get("namespace"), (Map<String, String>) meta.get("labels"), null,
            (Map<String, Object>) m.get("spec"), new SourceLocation(origin, index, 1)));
      }
      index++;
    }
    return out;
  }
}
