package io.mizzen.spi.mixer.remote;

import com.google.protobuf.ByteString;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A vocabulary's attribute names as they go on the wire, in UTF-8: {@link ReportWriter} copies a
 * name's bytes instead of measuring and encoding its String for every attribute of every set, and
 * {@link ReportReader} finds an attribute's index from the bytes of the message, without a String
 * (decoded, hashed, then dropped) per attribute. Immutable.
 */
final class WireNames {
  /**
   * The table of the vocabulary used last: a proxy and a Mixer server each use one at a time. A
   * JVM holding both over two vocabulary objects (tests, the demo) builds a table per batch at
   * worst: a hundred-odd names, microseconds against a batch's milliseconds.
   */
  private static volatile WireNames last;

  private final AttributeVocabulary vocabulary;
  private final byte[][] utf8;
  /** Whether the attribute at an index is a STRING_MAP. */
  private final boolean[] maps;
  /** Open addressing on {@link #hash}: an index plus one, or 0 for an empty slot. */
  private final int[] table;

  private WireNames(AttributeVocabulary vocabulary) {
    this.vocabulary = vocabulary;
    int n = vocabulary.size();
    utf8 = new byte[n][];
    maps = new boolean[n];
    table = new int[Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1];
    for (int i = 0; i < n; i++) {
      // As protobuf writes a string (its fallback for a lone surrogate is this encoding too).
      utf8[i] = vocabulary.name(i).getBytes(StandardCharsets.UTF_8);
      maps[i] = vocabulary.type(i) == ValueType.STRING_MAP;
      int slot = hash(utf8[i], 0, utf8[i].length) & (table.length - 1);
      while (table[slot] != 0) {
        slot = (slot + 1) & (table.length - 1);
      }
      table[slot] = i + 1;
    }
  }

  /** The names of {@code vocabulary}. */
  static WireNames of(AttributeVocabulary vocabulary) {
    WireNames names = last;
    if (names == null || names.vocabulary != vocabulary) {
      names = new WireNames(vocabulary);
      last = names;
    }
    return names;
  }

  AttributeVocabulary vocabulary() {
    return vocabulary;
  }

  /** The UTF-8 bytes of the name at {@code index}; not to be changed. */
  byte[] utf8(int index) {
    return utf8[index];
  }

  /**
   * Whether the attribute at {@code index} is a STRING_MAP: what a bag holds there is a map (bags
   * check their values' types), found without asking each value whether it is one (a type test
   * against an interface that fails scans the value's class's interfaces every time).
   */
  boolean isMap(int index) {
    return maps[index];
  }

  /**
   * The index of the name in {@code bytes[from, from + length)}, or -1 when the vocabulary does not
   * know it; an unknown name must still be valid UTF-8, as protobuf requires of a string field.
   *
   * @throws IOException when the name is not valid UTF-8
   */
  int indexOf(byte[] bytes, int from, int length) throws IOException {
    int mask = table.length - 1;
    for (int slot = hash(bytes, from, length) & mask; table[slot] != 0; slot = (slot + 1) & mask) {
      byte[] name = utf8[table[slot] - 1];
      if (Arrays.equals(name, 0, name.length, bytes, from, from + length)) {
        return table[slot] - 1;
      }
    }
    if (!ByteString.copyFrom(bytes, from, length).isValidUtf8()) {
      throw new IOException("an attribute name is not valid UTF-8");
    }
    return -1;
  }

  private static int hash(byte[] bytes, int from, int length) {
    int h = length;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + bytes[i];
    }
    return h ^ (h >>> 16);
  }
}
