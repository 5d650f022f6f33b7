package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cutting a YAML stream into documents so that untouched ones are written back byte for byte. */
class ManifestStreamTest {

  private static final String STREAM = """
      # leading comment
      ---
      apiVersion: v1
      kind: ConfigMap   # 🚀 non-BMP characters shift code points against chars
      metadata: {name: "emoji-🚀"}
      data: {a: "b"}
      ...
      ---
      # between documents
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        containers: [{name: a, image: x}]
      ---
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: s}
      # trailing comment
      """;

  @Test
  void untouchedStreamIsIdentical() {
    ManifestStream stream = ManifestStream.read(STREAM, "s.yaml");
    assertEquals(4, stream.documents().size(), "three documents and one empty one");
    assertEquals(STREAM, stream.write(d -> Optional.empty()));
    assertEquals(3, stream.documents().get(0).line(), "line of the ConfigMap's first key");
    assertEquals(10, stream.documents().get(1).line());
  }

  @Test
  void onlyTheRewrittenDocumentChanges() {
    ManifestStream stream = ManifestStream.read(STREAM, "s.yaml");
    String out = stream.write(d -> d.content() instanceof Map<?, ?> m && "Pod".equals(m.get("kind"))
        ? Optional.of(Map.of("kind", "Pod", "rewritten", true)) : Optional.empty());
    String before = STREAM.substring(0, STREAM.indexOf("apiVersion: v1\nkind: Pod"));
    String after = STREAM.substring(STREAM.indexOf("---\n---\n"));
    assertTrue(out.startsWith(before), out);
    assertTrue(out.endsWith(after), out);
    assertTrue(out.contains("# between documents\n"), "the rewritten document keeps its leading comment");
    assertTrue(out.contains("rewritten: true"), out);
    ManifestStream again = ManifestStream.read(out, "out.yaml");
    assertEquals(4, again.documents().size());
  }

  @Test
  void injectionIsIdempotentOnTheWholeStream() {
    SidecarInjector injector = SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults());
    String once = injector.injectManifest(STREAM, "s.yaml");
    assertTrue(once.contains("name: istio-proxy"));
    assertTrue(once.contains("kind: ConfigMap   # 🚀 non-BMP characters shift code points against chars"));
    assertEquals(once, injector.injectManifest(once, "s.yaml"));
  }
}
