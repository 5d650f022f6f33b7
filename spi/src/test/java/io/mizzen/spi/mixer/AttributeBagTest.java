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

class AttributeBagTest {
  private static AttributeVocabulary vocabulary() {
    Map<String, ValueType> m = new LinkedHashMap<>();
    m.put("request.path", ValueType.STRING);
    m.put("response.code", ValueType.INT64);
    m.put("request.headers", ValueType.STRING_MAP);
    m.put("response.duration", ValueType.DURATION);
    return AttributeVocabulary.of(m);
  }

  @Test
  void holdsTypedValuesByNameAndIndex() {
    AttributeVocabulary v = vocabulary();
    AttributeBag bag = AttributeBag.builder(v)
        .put("request.path", "/a").put("response.code", 200L)
        .put(v.indexOf("response.duration"), Duration.ofMillis(5)).build();
    assertEquals("/a", bag.get("request.path"));
    assertEquals(200L, bag.get(v.indexOf("response.code")));
    assertEquals(Duration.ofMillis(5), bag.get("response.duration"));
    assertNull(bag.get("request.headers"));
    assertNull(bag.get("not.in.vocabulary"));
    assertEquals(3, bag.toMap().size());
  }

  @Test
  void refusesUnknownNamesAndWrongTypes() {
    AttributeBag.Builder b = AttributeBag.builder(vocabulary());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> b.put("nope", "x"));
    assertTrue(unknown.getMessage().contains("nope"));
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> b.put("response.code", 200));
    assertTrue(wrong.getMessage().contains("response.code") && wrong.getMessage().contains("INT64"), wrong.getMessage());
  }

  @Test
  void isImmutableOnceBuilt() {
    Map<String, String> headers = new HashMap<>(Map.of("x-user", "john"));
    AttributeBag.Builder b = AttributeBag.builder(vocabulary()).put("request.headers", headers);
    AttributeBag bag = b.build();
    headers.put("x-user", "jane");
    assertEquals("john", ((Map<?, ?>) bag.get("request.headers")).get("x-user"));
    assertThrows(IllegalStateException.class, () -> b.put("request.path", "/late"));
  }

  @Test
  void rebaseMovesValuesByName() {
    AttributeVocabulary v = vocabulary();
    AttributeBag bag = AttributeBag.builder(v).put("request.path", "/a").put("response.code", 404L).build();
    Map<String, ValueType> m = new LinkedHashMap<>();
    m.put("extra", ValueType.BOOL);
    m.put("response.code", ValueType.INT64);
    m.put("request.path", ValueType.STRING);
    AttributeVocabulary newer = AttributeVocabulary.of(m);
    AttributeBag moved = bag.rebase(newer);
    assertSame(newer, moved.vocabulary());
    assertEquals(404L, moved.get(newer.indexOf("response.code")));
    assertEquals("/a", moved.get("request.path"));
    assertSame(bag, bag.rebase(v));
  }

  @Test
  void httpDenialFollowsIstio() {
    assertEquals(new HttpDenial(403, "PERMISSION_DENIED:denyall.istio-system:Not allowed"),
        HttpDenial.of(CheckResult.denied(7, "denyall.istio-system:Not allowed", Duration.ZERO, 0)));
    assertEquals(401, HttpDenial.httpStatus(CheckResult.UNAUTHENTICATED));
    assertEquals(429, HttpDenial.httpStatus(CheckResult.RESOURCE_EXHAUSTED));
    assertEquals(503, HttpDenial.httpStatus(CheckResult.UNAVAILABLE));
    assertEquals("RESOURCE_EXHAUSTED:", HttpDenial.of(CheckResult.denied(8, "", Duration.ZERO, 0)).body());
  }
}
