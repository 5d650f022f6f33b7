package io.mizzen.spi.mixer.remote;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a delta-encoded {@code ReportRequest} straight from the bags into one byte array: the
 * same bytes, field for field, as {@link MixerWireCodec#encodeBatch} built into protobuf
 * messages and serialized, without the message objects (a builder, a map entry and a
 * {@code Value} per attribute, each map entry built twice, once to size it and once to write it).
 * A batch is sized in one pass and written in a second.
 */
final class ReportWriter {
  private static final byte VALUE = 0;
  private static final byte ABSENT = 1;
  private static final byte MAP_DELTA = 2;
  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  // One entry per attribute sent, the batch's sets one after the other.
  private String[] names = new String[256];
  private byte[] kinds = new byte[256];
  private Object[] now = new Object[256];
  private Object[] before = new Object[256];
  /** VALUE: the Value message's size; MAP_DELTA: the StringMapDelta's. */
  private int[] sizes = new int[256];
  private int ops;
  /** Where each set's entries end, and its Attributes message's size. */
  private final int[] setEnd;
  private final int[] setSize;

  private ReportWriter(int sets) {
    setEnd = new int[sets];
    setSize = new int[sets];
  }

  /** The wire bytes of the delta-encoded report batch, as {@link MixerWireCodec#encodeBatch}. */
  static byte[] write(List<AttributeBag> batch) {
    ReportWriter w = new ReportWriter(batch.size());
    int total = 0;
    AttributeBag previous = null;
    for (int s = 0; s < batch.size(); s++) {
      AttributeBag bag = batch.get(s);
      int from = w.ops;
      if (previous == null || previous.vocabulary() != bag.vocabulary()) {
        w.whole(bag, previous);
      } else {
        w.delta(bag, previous);
      }
      w.setEnd[s] = w.ops;
      int size = w.attributesSize(from, w.ops);
      w.setSize[s] = size;
      total += 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
      previous = bag;
    }
    total += CodedOutputStream.computeBoolSize(2, true);
    byte[] out = new byte[total];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      int from = 0;
      for (int s = 0; s < batch.size(); s++) {
        o.writeTag(1, LEN);
        o.writeUInt32NoTag(w.setSize[s]);
        w.writeAttributes(o, from, w.setEnd[s]);
        from = w.setEnd[s];
      }
      o.writeBool(2, true);
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private void add(String name, byte kind, Object value, Object was) {
    if (ops == names.length) {
      int n = ops * 2;
      names = Arrays.copyOf(names, n);
      kinds = Arrays.copyOf(kinds, n);
      now = Arrays.copyOf(now, n);
      before = Arrays.copyOf(before, n);
      sizes = Arrays.copyOf(sizes, n);
    }
    names[ops] = name;
    kinds[ops] = kind;
    now[ops] = value;
    before[ops] = was;
    ops++;
  }

  /** A set sent whole (the first, or one over another vocabulary than the set before). */
  private void whole(AttributeBag bag, AttributeBag previous) {
    AttributeVocabulary v = bag.vocabulary();
    for (int i = 0; i < v.size(); i++) {
      Object value = bag.get(i);
      if (value != null) {
        add(v.name(i), VALUE, value, null);
      }
    }
    if (previous != null) {
      AttributeVocabulary p = previous.vocabulary();
      for (int i = 0; i < p.size(); i++) {
        if (previous.get(i) != null && bag.get(p.name(i)) == null) {
          add(p.name(i), ABSENT, null, null);
        }
      }
    }
  }

  /** A set sent as what changed since the set before, over the same vocabulary. */
  private void delta(AttributeBag bag, AttributeBag previous) {
    AttributeVocabulary v = bag.vocabulary();
    for (int i = 0; i < v.size(); i++) {
      Object value = bag.get(i);
      Object was = previous.get(i);
      if (value == was) {
        continue;
      }
      if (value == null) {
        add(v.name(i), ABSENT, null, null);
      } else if (value instanceof Map<?, ?> m && was instanceof Map<?, ?> w) {
        int changes = MixerWireCodec.mapChanges(m, w);
        if (changes == 0) {
          continue;
        }
        add(v.name(i), changes < m.size() ? MAP_DELTA : VALUE, value, w);
      } else if (!value.equals(was)) {
        add(v.name(i), VALUE, value, null);
      }
    }
  }

  private int attributesSize(int from, int to) {
    int size = 0;
    for (int i = from; i < to; i++) {
      switch (kinds[i]) {
        case VALUE -> {
          int value = valueSize(now[i]);
          sizes[i] = value;
          size += entry(CodedOutputStream.computeStringSize(1, names[i]) + 1 + CodedOutputStream.computeUInt32SizeNoTag(value) + value);
        }
        case ABSENT -> size += CodedOutputStream.computeStringSize(2, names[i]);
        default -> {
          int delta = deltaSize((Map<?, ?>) now[i], (Map<?, ?>) before[i]);
          sizes[i] = delta;
          size += entry(CodedOutputStream.computeStringSize(1, names[i]) + 1 + CodedOutputStream.computeUInt32SizeNoTag(delta) + delta);
        }
      }
    }
    return size;
  }

  /** A length-delimited field of {@code size} bytes under a one-byte tag. */
  private static int entry(int size) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  private static int stringEntry(String key, String value) {
    return CodedOutputStream.computeStringSize(1, key) + CodedOutputStream.computeStringSize(2, value);
  }

  private static int mapSize(Map<?, ?> m) {
    int size = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      size += entry(stringEntry(String.valueOf(e.getKey()), String.valueOf(e.getValue())));
    }
    return size;
  }

  private static int valueSize(Object v) {
    if (v instanceof String s) {
      return CodedOutputStream.computeStringSize(1, s);
    } else if (v instanceof Long l) {
      return CodedOutputStream.computeInt64Size(2, l);
    } else if (v instanceof Double d) {
      return CodedOutputStream.computeDoubleSize(3, d);
    } else if (v instanceof Boolean b) {
      return CodedOutputStream.computeBoolSize(4, b);
    } else if (v instanceof Instant t) {
      return CodedOutputStream.computeInt64Size(5, nanos(t));
    } else if (v instanceof Duration d) {
      return CodedOutputStream.computeInt64Size(6, d.toNanos());
    } else if (v instanceof InetAddress a) {
      return CodedOutputStream.computeByteArraySize(7, a.getAddress());
    } else if (v instanceof Map<?, ?> m) {
      return entry(mapSize(m));
    }
    throw new IllegalArgumentException("no wire form for " + v.getClass().getName());
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static int deltaSize(Map<?, ?> m, Map<?, ?> was) {
    int size = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!e.getValue().equals(was.get(e.getKey()))) {
        size += entry(stringEntry(String.valueOf(e.getKey()), String.valueOf(e.getValue())));
      }
    }
    for (Object k : was.keySet()) {
      if (!m.containsKey(k)) {
        size += CodedOutputStream.computeStringSize(2, String.valueOf(k));
      }
    }
    return size;
  }

  /** The Attributes message: its values, then the absent names, then the map deltas. */
  private void writeAttributes(CodedOutputStream o, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      if (kinds[i] == VALUE) {
        writeEntryHead(o, 1, names[i], sizes[i]);
        writeValue(o, now[i]);
      }
    }
    for (int i = from; i < to; i++) {
      if (kinds[i] == ABSENT) {
        o.writeString(2, names[i]);
      }
    }
    for (int i = from; i < to; i++) {
      if (kinds[i] == MAP_DELTA) {
        writeEntryHead(o, 3, names[i], sizes[i]);
        writeDelta(o, (Map<?, ?>) now[i], (Map<?, ?>) before[i]);
      }
    }
  }

  /** A map entry's head in field {@code field}: its length, its key, and its value's tag and length. */
  private static void writeEntryHead(CodedOutputStream o, int field, String name, int valueSize) throws IOException {
    o.writeTag(field, LEN);
    o.writeUInt32NoTag(CodedOutputStream.computeStringSize(1, name) + 1 + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize);
    o.writeString(1, name);
    o.writeTag(2, LEN);
    o.writeUInt32NoTag(valueSize);
  }

  private static void writeValue(CodedOutputStream o, Object v) throws IOException {
    if (v instanceof String s) {
      o.writeString(1, s);
    } else if (v instanceof Long l) {
      o.writeInt64(2, l);
    } else if (v instanceof Double d) {
      o.writeDouble(3, d);
    } else if (v instanceof Boolean b) {
      o.writeBool(4, b);
    } else if (v instanceof Instant t) {
      o.writeInt64(5, nanos(t));
    } else if (v instanceof Duration d) {
      o.writeInt64(6, d.toNanos());
    } else if (v instanceof InetAddress a) {
      o.writeByteArray(7, a.getAddress());
    } else if (v instanceof Map<?, ?> m) {
      o.writeTag(8, LEN);
      o.writeUInt32NoTag(mapSize(m));
      for (Map.Entry<?, ?> e : m.entrySet()) {
        writeStringEntry(o, 1, String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
    } else {
      throw new IllegalArgumentException("no wire form for " + v.getClass().getName());
    }
  }

  private static void writeStringEntry(CodedOutputStream o, int field, String key, String value) throws IOException {
    o.writeTag(field, LEN);
    o.writeUInt32NoTag(stringEntry(key, value));
    o.writeString(1, key);
    o.writeString(2, value);
  }

  private static void writeDelta(CodedOutputStream o, Map<?, ?> m, Map<?, ?> was) throws IOException {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!e.getValue().equals(was.get(e.getKey()))) {
        writeStringEntry(o, 1, String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
    }
    for (Object k : was.keySet()) {
      if (!m.containsKey(k)) {
        o.writeString(2, String.valueOf(k));
      }
    }
  }
}
