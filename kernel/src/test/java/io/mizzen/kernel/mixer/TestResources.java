package io.mizzen.kernel.mixer;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A tiny YAML → {@link Resource} reader for tests only (the config store's loader is Pilot's);
 * documents without a kind (empty ones) are skipped.
 */
public final class TestResources {
  private TestResources() {}

  public static List<Resource> sample(String relative) {
    Path file = SharedSamples.istioSamples().resolve(relative);
    try {
      return parse(Files.readString(file), relative);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static List<Resource> samples(String... relatives) {
    List<Resource> out = new ArrayList<>();
    for (String r : relatives) {
      out.addAll(sample(r));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  public static List<Resource> parse(String yaml, String origin) {
    List<Resource> out = new ArrayList<>();
    int index = 0;
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (doc instanceof Map<?, ?> m && m.get("kind") != null) {
        Map<String, Object> metadata = m.get("metadata") instanceof Map<?, ?> md ? (Map<String, Object>) md : Map.of();
        Object spec = m.get("spec");
        out.add(new Resource(String.valueOf(m.get("apiVersion")), String.valueOf(m.get("kind")),
            String.valueOf(metadata.get("name")), (String) metadata.get("namespace"),
            (Map<String, String>) metadata.get("labels"), Map.of(),
            spec instanceof Map<?, ?> s ? (Map<String, Object>) s : Map.of(),
            new SourceLocation(origin, index, 0)));
      }
      index++;
    }
    return out;
  }
}
