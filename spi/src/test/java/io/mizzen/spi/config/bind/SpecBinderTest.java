package io.mizzen.spi.config.bind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecBinderTest {
  enum Mode { ON, OFF }

  @Oneof(value = {"a", "b"}, required = true)
  record Choice(String a, Integer b) {}

  record Port(@Required Integer number, IntOrString target) {}

  record Spec(@Required List<Port> ports, Map<String, Choice> choices, Mode mode, Long big, Double ratio, Boolean on,
      Object anything) {}

  private final SpecBinder binder = SpecBinder.strict();

  @Test
  void bindsEveryShapeAndLeavesAbsentCollectionsEmpty() {
    Spec s = binder.bind(Map.of(
        "ports", List.of(Map.of("number", 80, "target", "http"), Map.of("number", 81, "target", 8081)),
        "mode", "ON", "big", 5_000_000_000L, "ratio", 1, "on", true, "anything", List.of(1, "x")), Spec.class, "spec")
        .orElseThrow();
    assertEquals(new IntOrString(null, "http"), s.ports().get(0).target());
    assertEquals(8081, s.ports().get(1).target().number());
    assertEquals(Mode.ON, s.mode());
    assertEquals(5_000_000_000L, s.big());
    assertEquals(1.0, s.ratio());
    assertEquals(Map.of(), s.choices());
    assertEquals(List.of(1, "x"), s.anything());
  }

  @Test
  void reportsEmptyRequiredListsOneofsAndWrongShapes() {
    Bound<Spec> b = binder.bind(Map.of(
        "ports", List.of(),
        "choices", Map.of("x", Map.of("a", "1", "b", 2), "y", Map.of(), "z", "scalar"),
        "on", "yes", "ratio", "0.5", "big", 1.5), Spec.class, "");
    List<String> fields = b.errors().stream().map(ConfigError::field).sorted().toList();
    assertEquals(List.of("big", "choices.x", "choices.y", "choices.z", "on", "ports", "ratio"), fields, b.errors().toString());
  }

  @Test
  void aNullTreeIsAnEmptyRecord() {
    Bound<Spec> b = binder.bind(null, Spec.class, "spec");
    assertEquals(1, b.errors().size());
    assertEquals("spec.ports", b.errors().get(0).field());
    assertTrue(b.value().ports().isEmpty());
    assertNull(b.value().mode());
  }
}
