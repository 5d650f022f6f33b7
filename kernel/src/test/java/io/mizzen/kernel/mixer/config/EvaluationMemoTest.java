package io.mizzen.kernel.mixer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationMemoTest {
  private final AttributeVocabulary vocabulary = AttributeVocabulary.of(Map.of(
      "source.labels", ValueType.STRING_MAP, "response.code", ValueType.INT64, "response.size", ValueType.INT64));
  private final int labels = vocabulary.indexOf("source.labels");
  private final int code = vocabulary.indexOf("response.code");
  private final int size = vocabulary.indexOf("response.size");
  private final Object byLabels = new Object();
  private final Object bySize = new Object();
  private final List<String> computed = new ArrayList<>();

  private AttributeBag bag(String app, long responseCode, long responseSize) {
    // A fresh labels map per bag, as the proxy builds one per request: agreement is by value.
    return AttributeBag.builder(vocabulary).put(labels, Map.of("app", app)).put(code, responseCode)
        .put(size, responseSize).build();
  }

  private String run(EvaluationMemo memo, AttributeBag bag, boolean announce) {
    if (announce) {
      memo.next(bag);
    }
    String a = memo.get(byLabels, new int[] {labels, code}, bag, (u, b, m) -> {
      computed.add("labels");
      return b.get(labels) + "/" + b.get(code);
    });
    String s = memo.get(bySize, new int[] {size}, bag, (u, b, m) -> {
      computed.add("size");
      return String.valueOf(b.get(size));
    });
    return a + " " + s;
  }

  @Test
  void announcedBagsRecomputeOnlyTheUnitsReadingWhatChanged() {
    for (int[] watched : new int[][] {null, {labels, code, size}}) {
      computed.clear();
      EvaluationMemo memo = new EvaluationMemo(watched);
      assertEquals("{app=a}/200 10", run(memo, bag("a", 200, 10), true));
      assertEquals("{app=a}/200 11", run(memo, bag("a", 200, 11), true));
      assertEquals("{app=b}/200 11", run(memo, bag("b", 200, 11), true));
      assertEquals("{app=b}/503 11", run(memo, bag("b", 503, 11), true));
      assertEquals(List.of("labels", "size", "size", "labels", "labels"), computed, "watched " + java.util.Arrays.toString(watched));
    }
  }

  @Test
  void aUnitLastComputedForAnOlderBagOrABagNotAnnouncedIsComparedValueByValue() {
    EvaluationMemo memo = new EvaluationMemo();
    assertEquals("{app=a}/200 10", run(memo, bag("a", 200, 10), true));
    // bySize skips the second bag (it is not asked), then sees a third that differs from the
    // second on size only: it must compare with the first, where it was last computed.
    AttributeBag second = bag("a", 200, 99);
    memo.next(second);
    memo.get(byLabels, new int[] {labels, code}, second, (u, b, m) -> "unused");
    computed.clear();
    assertEquals("{app=a}/200 10", run(memo, bag("a", 200, 10), true));
    assertEquals(List.of(), computed, "the third agrees with the first on size: kept");
    // A bag never announced: compared value by value, not through the last comparison.
    assertEquals("{app=a}/200 12", run(memo, bag("a", 200, 12), false));
    assertEquals(List.of("size"), computed);
  }

  @Test
  void slotsBeyondTheFirst64AreComparedTooAndLayoutBagsAgreeLikeWholeOnes() {
    Map<String, ValueType> names = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      names.put("a" + i, ValueType.INT64);
    }
    AttributeVocabulary wide = AttributeVocabulary.of(names);
    AttributeBag base = AttributeBag.builder(wide).put(3, 3L).put(70, 70L).build();
    io.mizzen.spi.mixer.AttributeLayout layout = io.mizzen.spi.mixer.AttributeLayout.of(base, 1, 65, 140);
    int[] low = {3, 1};
    int[] high = {70, 140};
    int[] middle = {65};
    Object byLow = new Object();
    Object byHigh = new Object();
    Object byMiddle = new Object();
    EvaluationMemo memo = new EvaluationMemo(new int[] {1, 3, 65, 70, 140});
    List<String> seen = new ArrayList<>();
    long[][] rows = {{1, 65, 140}, {1, 65, 141}, {1, 66, 141}, {2, 66, 141}, {2, 66, 141}};
    for (long[] row : rows) {
      AttributeBag bag = layout.builder().put(1, row[0]).put(65, row[1]).put(140, row[2]).build();
      memo.next(bag);
      seen.add(memo.get(byLow, low, bag, (u, b, m) -> "low" + b.get(1)));
      seen.add(memo.get(byHigh, high, bag, (u, b, m) -> "high" + b.get(140)));
      seen.add(memo.get(byMiddle, middle, bag, (u, b, m) -> "middle" + b.get(65)));
    }
    computed.clear();
    assertEquals(List.of("low1", "high140", "middle65", "low1", "high141", "middle65", "low1", "high141", "middle66",
        "low2", "high141", "middle66", "low2", "high141", "middle66"), seen);
    // Each kept value is the same object as long as nothing it reads changed.
    AttributeBag same = layout.builder().put(1, 2L).put(65, 66L).put(140, 141L).build();
    memo.next(same);
    Object kept = memo.get(byHigh, high, same, (u, b, m) -> { computed.add("high"); return "again"; });
    assertEquals("high141", kept);
    assertEquals(List.of(), computed);
  }
}
