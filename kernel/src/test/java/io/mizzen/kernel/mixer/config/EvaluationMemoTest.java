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
    String a = memo.get(byLabels, new int[] {labels, code}, bag, b -> {
      computed.add("labels");
      return b.get(labels) + "/" + b.get(code);
    });
    String s = memo.get(bySize, new int[] {size}, bag, b -> {
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
    memo.get(byLabels, new int[] {labels, code}, second, b -> "unused");
    computed.clear();
    assertEquals("{app=a}/200 10", run(memo, bag("a", 200, 10), true));
    assertEquals(List.of(), computed, "the third agrees with the first on size: kept");
    // A bag never announced: compared value by value, not through the last comparison.
    assertEquals("{app=a}/200 12", run(memo, bag("a", 200, 12), false));
    assertEquals(List.of("size"), computed);
  }
}
