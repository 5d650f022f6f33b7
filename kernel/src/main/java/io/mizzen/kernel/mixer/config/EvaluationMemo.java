package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ReferencedAttributes;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What was computed for earlier bags of one report batch (a rule's match, an instance's shared
 * map field), reused for a bag that agrees with the last one on every attribute the computation
 * reads. An expression's value depends on nothing but the attributes it references (the check
 * cache relies on the same), and the requests of one proxy mostly agree on what metrics read
 * (source, destination, protocol, response code), so most bags of a batch reuse the previous
 * one's values: the same objects, which adapters may then recognise by identity. A computation
 * that throws keeps nothing. Not thread-safe: one per batch.
 */
public final class EvaluationMemo {
  private static final class Last {
    AttributeBag bag;
    Object value;
  }

  private final Map<Object, Last> last = new IdentityHashMap<>();

  /**
   * {@code compute}'s value for {@code bag}: the one kept for {@code unit} when its bag agrees
   * with this one on {@code slots}, else computed now (and kept).
   */
  public <T> T get(Object unit, int[] slots, AttributeBag bag, Function<AttributeBag, T> compute) {
    Last l = last.get(unit);
    if (l != null && (l.bag == bag || agree(l.bag, bag, slots))) {
      l.bag = bag;
      @SuppressWarnings("unchecked")
      T kept = (T) l.value;
      return kept;
    }
    T value = compute.apply(bag);
    if (l == null) {
      l = new Last();
      last.put(unit, l);
    }
    l.bag = bag;
    l.value = value;
    return value;
  }

  private static boolean agree(AttributeBag a, AttributeBag b, int[] slots) {
    if (a.vocabulary() != b.vocabulary()) {
      return false;
    }
    for (int slot : slots) {
      Object x = a.get(slot);
      Object y = b.get(slot);
      if (x != y && !Objects.equals(x, y)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The slots of {@code vocabulary} that {@code reads} name (an attribute read by some of its
   * keys counts whole: bags that agree on the whole map agree on its keys).
   */
  public static int[] slots(Collection<ReferencedAttributes> reads, AttributeVocabulary vocabulary) {
    Set<String> names = new TreeSet<>();
    for (ReferencedAttributes r : reads) {
      names.addAll(r.attributes());
      names.addAll(r.mapKeys().keySet());
    }
    return names.stream().mapToInt(vocabulary::indexOf).filter(i -> i >= 0).toArray();
  }
}
