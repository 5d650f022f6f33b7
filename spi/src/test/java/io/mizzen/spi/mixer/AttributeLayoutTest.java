package io.mizzen.spi.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bags of a layout against bags built whole with the same values: they must not differ. */
class AttributeLayoutTest {
  private static final AttributeVocabulary V = vocabulary();

  private static AttributeVocabulary vocabulary() {
    Map<String, ValueType> m = new LinkedHashMap<>();
    m.put("destination.namespace", ValueType.STRING);
    m.put("request.path", ValueType.STRING);
    m.put("response.code", ValueType.INT64);
    m.put("request.headers", ValueType.STRING_MAP);
    m.put("response.duration", ValueType.DURATION);
    m.put("destination.labels", ValueType.STRING_MAP);
    return AttributeVocabulary.of(m);
  }

  private static AttributeBag base() {
    return AttributeBag.builder(V).put("destination.namespace", "default")
        .put("destination.labels", Map.of("app", "ratings")).put("request.path", "/base").build();
  }

  private static AttributeLayout layout() {
    return AttributeLayout.of(base(), V.indexOf("request.path"), V.indexOf("response.code"), -1,
        V.indexOf("response.code"), V.indexOf("request.headers"));
  }

  @Test
  void aLayoutsBagReadsItsOwnValuesAndTheBasesElsewhere() {
    AttributeBag bag = layout().builder().put("response.code", 200L).put(V.indexOf("request.headers"), Map.of("x", "1"))
        .build();
    AttributeBag whole = AttributeBag.builder(base()).put("response.code", 200L).put("request.headers", Map.of("x", "1"))
        .build();
    assertEquals(whole.toMap(), bag.toMap());
    for (int i = 0; i < V.size(); i++) {
      assertEquals(whole.get(i), bag.get(i), V.name(i));
    }
    // A varying attribute the bag did not set keeps the base's value, as a whole copy would.
    assertEquals("/base", bag.get("request.path"));
    assertNull(bag.get("response.duration"));
    assertSame(V, bag.vocabulary());
  }

  @Test
  void aBuilderFromALayoutsBagCopiesOnlyItsOwnValuesAndLeavesTheBagAlone() {
    AttributeBag request = layout().builder().put("request.path", "/r").build();
    AttributeBag report = AttributeBag.builder(request).put("response.code", 503L).build();
    assertEquals("/r", report.get("request.path"));
    assertEquals(503L, report.get("response.code"));
    assertNull(request.get("response.code"), "the request's bag is immutable");
    assertEquals("default", report.get("destination.namespace"));
  }

  @Test
  void anAttributeOutsideTheLayoutMakesAWholeBagWithEverythingPutBefore() {
    AttributeBag bag = layout().builder().put("request.path", "/r")
        .put("response.duration", Duration.ofMillis(7)).put("response.code", 404L).build();
    assertEquals("/r", bag.get("request.path"));
    assertEquals(Duration.ofMillis(7), bag.get("response.duration"));
    assertEquals(404L, bag.get("response.code"));
    assertEquals("default", bag.get("destination.namespace"));
    assertEquals(5, bag.toMap().size(), bag.toString());
  }

  @Test
  void valuesAreCheckedAndCopiedAsInWholeBags() {
    AttributeBag.Builder b = layout().builder();
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> b.put("response.code", 200));
    assertTrue(wrong.getMessage().contains("response.code") && wrong.getMessage().contains("INT64"), wrong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.put("not.known", "x"));
    Map<String, String> headers = new HashMap<>(Map.of("x-user", "john"));
    AttributeBag bag = b.put("request.headers", headers).build();
    headers.put("x-user", "jane");
    assertEquals("john", ((Map<?, ?>) bag.get("request.headers")).get("x-user"));
    assertThrows(IllegalStateException.class, () -> b.put("request.path", "/late"));
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void rebaseMovesALayoutsBagByName() {
    Map<String, ValueType> m = new LinkedHashMap<>();
    m.put("request.path", ValueType.STRING);
    m.put("destination.namespace", ValueType.STRING);
    m.put("response.code", ValueType.STRING);
    AttributeVocabulary other = AttributeVocabulary.of(m);
    AttributeBag bag = layout().builder().put("request.path", "/r").put("response.code", 200L).build();
    AttributeBag moved = bag.rebase(other);
    assertSame(other, moved.vocabulary());
    assertEquals(Map.of("request.path", "/r", "destination.namespace", "default"), moved.toMap(),
        "response.code is dropped: the other vocabulary types it STRING");
    assertSame(bag, bag.rebase(V));
  }

  @Test
  void anIndexOutsideTheVocabularyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributeLayout.of(base(), V.size()));
    assertTrue(e.getMessage().contains(String.valueOf(V.size())), e.getMessage());
  }
}
