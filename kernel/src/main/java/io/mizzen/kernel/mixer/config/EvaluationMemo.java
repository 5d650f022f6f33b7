package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ReferencedAttributes;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What was computed for earlier bags of one report batch (a rule's match, an instance's shared
 * map field), reused for a bag that agrees with the last one on every attribute the computation
 * reads. An expression's value depends on nothing but the attributes it references (the check
 * cache relies on the same), and the requests of one proxy mostly agree on what metrics read
 * (source, destination, protocol, response code), so most bags of a batch reuse the previous
 * one's values: the same objects, which adapters may then recognise by identity. A computation
 * that throws keeps nothing. Not thread-safe: one per batch.
 *
 * <p>Bags are announced in turn ({@link #next}): the memo then compares each watched slot of the
 * bag with the previous bag's once, so a unit last computed for the previous bag is checked by
 * looking its slots up in that comparison rather than comparing values again (a metric's
 * dimensions, the metric itself and the rule that reached it all read the same source and
 * destination maps; they are compared once per bag, not once per unit). Two bags of one
 * {@link AttributeLayout} (a sidecar's) are compared at the layout's varying attributes only.
 */
public final class EvaluationMemo {
  private static final class Last {
    AttributeBag bag;
    Object value;
    /** The unit's slots, and as bits (slot s is bit s % 64 of word s / 64). */
    int[] slots;
    long[] mask;
  }

  private final Map<Object, Last> last = new IdentityHashMap<>();
  /** The slots compared by {@link #next}; null: every slot of the bag's vocabulary. */
  private final int[] watched;
  private AttributeBag previous;
  private AttributeBag current;
  /**
   * For the current bag, as bits by slot: whether it differs from the previous bag's (watched
   * slots only), so a unit is checked with one AND per 64 slots.
   */
  private long[] changed = new long[0];
  private int[] lastVarying;
  private int[] lastWatchedVarying;

  /** A memo that compares every slot of each bag announced with the previous one. */
  public EvaluationMemo() {
    this(null);
  }

  /**
   * A memo that compares only {@code watched} slots of each bag announced: every slot any unit
   * passed to {@link #get} with an announced bag reads must be among them.
   */
  public EvaluationMemo(int[] watched) {
    this.watched = watched;
  }

  /** {@code bag} is the batch's next: the units computed for the previous one are checked against it. */
  public void next(AttributeBag bag) {
    previous = current;
    current = bag;
    if (previous == null || previous.vocabulary() != bag.vocabulary()) {
      previous = null;
      return;
    }
    int words = (bag.vocabulary().size() + 63) >>> 6;
    if (changed.length < words) {
      changed = new long[words];
    } else {
      Arrays.fill(changed, 0L);
    }
    int[] varying = AttributeLayout.varyingBetween(previous, bag);
    if (varying != null) {
      // Two bags of one layout can differ at its varying attributes only.
      for (int slot : watchedOf(varying)) {
        mark(slot, bag);
      }
    } else if (watched == null) {
      for (int slot = 0; slot < bag.vocabulary().size(); slot++) {
        mark(slot, bag);
      }
    } else {
      for (int slot : watched) {
        mark(slot, bag);
      }
    }
  }

  /** The watched slots among a layout's {@code varying} ones, worked out once per layout seen last. */
  private int[] watchedOf(int[] varying) {
    if (varying != lastVarying) {
      lastVarying = varying;
      lastWatchedVarying = watched == null ? varying
          : Arrays.stream(varying).filter(slot -> Arrays.stream(watched).anyMatch(w -> w == slot)).toArray();
    }
    return lastWatchedVarying;
  }

  private void mark(int slot, AttributeBag bag) {
    if (!same(previous.get(slot), bag.get(slot))) {
      changed[slot >>> 6] |= 1L << slot;
    }
  }

  /**
   * What a unit computes from a bag; given the unit and this memo so that the computation need not
   * capture them (a non-capturing lambda is one object, not one per call).
   */
  @FunctionalInterface
  public interface Computation<U, T> {
    T compute(U unit, AttributeBag bag, EvaluationMemo memo);
  }

  /**
   * {@code compute}'s value for {@code bag}: the one kept for {@code unit} when its bag agrees
   * with this one on {@code slots}, else computed now (and kept).
   */
  public <U, T> T get(U unit, int[] slots, AttributeBag bag, Computation<? super U, T> compute) {
    Last l = last.get(unit);
    if (l != null && agrees(l, bag, slots)) {
      l.bag = bag;
      @SuppressWarnings("unchecked")
      T kept = (T) l.value;
      return kept;
    }
    T value = compute.compute(unit, bag, this);
    if (l == null) {
      l = new Last();
      last.put(unit, l);
    }
    l.bag = bag;
    l.value = value;
    return value;
  }

  private boolean agrees(Last l, AttributeBag bag, int[] slots) {
    AttributeBag kept = l.bag;
    if (kept == bag) {
      return true;
    }
    if (bag != current || kept != previous || previous == null) {
      return agree(kept, bag, slots);
    }
    if (l.slots != slots) {
      l.slots = slots;
      l.mask = mask(slots);
    }
    long[] mask = l.mask;
    for (int w = 0; w < mask.length; w++) {
      if ((mask[w] & changed[w]) != 0) {
        return false;
      }
    }
    return true;
  }

  private static long[] mask(int[] slots) {
    int max = -1;
    for (int slot : slots) {
      max = Math.max(max, slot);
    }
    long[] mask = new long[(max + 64) >>> 6];
    for (int slot : slots) {
      mask[slot >>> 6] |= 1L << slot;
    }
    return mask;
  }

  private static boolean same(Object x, Object y) {
    return x == y || Objects.equals(x, y);
  }

  private static boolean agree(AttributeBag a, AttributeBag b, int[] slots) {
    if (a.vocabulary() != b.vocabulary()) {
      return false;
    }
    for (int slot : slots) {
      if (!same(a.get(slot), b.get(slot))) {
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
