package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * One report batch being filled, in the form its Mixer sends it: a remote Mixer encodes each set
 * as it arrives (delta-encoded against the set before, while both are still in the CPU's cache),
 * so a full batch is already its wire bytes; an in-process Mixer collects the bags. Not
 * thread-safe: its {@link ReportBatcher} guards it.
 */
public interface ReportBatch {

  /**
   * Adds one attribute set.
   *
   * @throws IllegalArgumentException when the set has a value with no wire form; nothing of it is
   *     added and the batch stays as it was
   */
  void add(AttributeBag set);

  /** The sets added so far. */
  int size();

  /** The bytes the batch has been encoded to so far; 0 for a batch that is not encoded as it fills. */
  default int bytes() {
    return 0;
  }

  /**
   * Sends the batch; called once, after the last {@link #add}.
   *
   * @return as {@link Mixer#report(List)}
   */
  Future<Void> send();

  /** A batch that collects the bags and hands them to {@code mixer}'s {@link Mixer#report(List)}. */
  static ReportBatch collecting(Mixer mixer) {
    List<AttributeBag> sets = new ArrayList<>();
    return new ReportBatch() {
      @Override
      public void add(AttributeBag set) {
        sets.add(set);
      }

      @Override
      public int size() {
        return sets.size();
      }

      @Override
      public Future<Void> send() {
        return mixer.report(List.copyOf(sets));
      }
    };
  }
}
