package io.mizzen.kernel.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AttributeManifestTest {

  @Test
  void classpathCopyMatchesTheIstioInstallManifests() throws Exception {
    String text = Files.readString(SharedSamples.istioSamples().resolve("install/mixer-default-config.yaml"));
    // The install file is a helm template: keep only its attributemanifest documents, minus
    // the template lines, and compare attribute by attribute.
    String manifests = java.util.Arrays.stream(text.split("\n---"))
        .filter(d -> d.contains("kind: attributemanifest"))
        .map(d -> d.lines().filter(l -> !l.contains("{{")).collect(Collectors.joining("\n")))
        .collect(Collectors.joining("\n---\n"));
    Map<String, ValueType> fromSamples = merged(AttributeManifest.parse(manifests, "install/mixer-default-config.yaml"));
    Map<String, ValueType> builtIn = merged(AttributeManifest.builtIn());
    assertEquals(fromSamples, builtIn);
    assertTrue(builtIn.size() > 80, "Istio 1.4 declares about 90 attributes, got " + builtIn.size());
  }

  @Test
  void knowsTheTypesRulesUse() {
    AttributeVocabulary v = AttributeManifest.vocabulary(AttributeManifest.builtIn());
    assertEquals(ValueType.STRING_MAP, v.typeOf("request.headers"));
    assertEquals(ValueType.IP_ADDRESS, v.typeOf("source.ip"));
    assertEquals(ValueType.DURATION, v.typeOf("response.duration"));
    assertEquals(ValueType.TIMESTAMP, v.typeOf("request.time"));
    assertEquals(ValueType.INT64, v.typeOf("response.code"));
    assertEquals(ValueType.BOOL, v.typeOf("connection.mtls"));
    assertEquals(ValueType.STRING, v.typeOf("destination.service.host"));
    assertEquals(null, v.typeOf("no.such.attribute"));
  }

  @Test
  void badManifestNamesDocumentAndField() {
    String yaml = """
        apiVersion: config.istio.io/v1alpha2
        kind: attributemanifest
        metadata: {name: broken}
        spec:
          attributes:
            a.b: {valueType: STRNG}
            c.d: {}
        """;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributeManifest.parse(yaml, "x.yaml"));
    assertTrue(e.getMessage().contains("x.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("spec.attributes.a.b.valueType"), e.getMessage());
    assertTrue(e.getMessage().contains("STRNG"), e.getMessage());
    assertTrue(e.getMessage().contains("spec.attributes.c.d.valueType"), e.getMessage());
  }

  @Test
  void conflictingDeclarationsAreRefused() {
    var a = new AttributeManifest("a", Map.of("x.y", ValueType.STRING));
    var b = new AttributeManifest("b", Map.of("x.y", ValueType.INT64));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributeManifest.vocabulary(List.of(a, b)));
    assertTrue(e.getMessage().contains("x.y") && e.getMessage().contains("manifest b"), e.getMessage());
  }

  private static Map<String, ValueType> merged(List<AttributeManifest> manifests) {
    Map<String, ValueType> out = new LinkedHashMap<>();
    manifests.forEach(m -> out.putAll(m.attributes()));
    return out;
  }
}
