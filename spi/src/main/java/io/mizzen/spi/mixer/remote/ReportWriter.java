package io.mizzen.spi.mixer.remote;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a delta-encoded {@code ReportRequest} set by set into one growing byte array: the same
 * bytes, field for field, as {@link MixerWireCodec#encodeBatch} built into protobuf messages and
 * serialized, without the message objects (a builder, a map entry and a {@code Value} per
 * attribute, each map entry built twice, once to size it and once to write it). Each set is
 * compared with the one before and written when it is added, while both are still in the CPU's
 * cache (done once per full batch, the comparison read a hundred bags back from memory and cost
 * the proxy more than the rest of the report path together); the writer keeps no bag but the last.
 * Not thread-safe.
 */
final class ReportWriter {
  private static final byte VALUE = 0;
  private static final byte ABSENT = 1;
  private static final byte MAP_DELTA = 2;
  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  /** The batch's closing field: {@code delta_encoded = true}. */
  private static final int TRAILER = CodedOutputStream.computeBoolSize(2, true);

  // The entries of the set being added: one per attribute sent, named in UTF-8.
  private byte[][] names = new byte[64][];
  private byte[] kinds = new byte[64];
  private Object[] now = new Object[64];
  /** VALUE: the Value message's size; MAP_DELTA: the StringMapDelta's. */
  private int[] sizes = new int[64];
  /** MAP_DELTA: where its edit starts and ends in {@link #editKeys} (an entry put, or a key removed). */
  private int[] editFrom = new int[64];
  private int[] editTo = new int[64];
  private int ops;
  /**
   * The map edits of the set being added, found in one pass over each map: {@code editKeys[i]}
   * with {@code editValues[i]} put, or {@code editKeys[i]} removed when its value is null; an
   * op's entries run from its {@link #editFrom} to its {@link #editTo}.
   */
  private String[] editKeys = new String[16];
  private String[] editValues = new String[16];
  private int edits;

  private byte[] out;
  private int length;
  private int sets;
  private AttributeBag previous;
  /** The names of the vocabulary of the sets being added. */
  private WireNames wire;

  /** A writer whose first bytes go into a 4 KiB array, doubled as it fills. */
  ReportWriter() {
    this(4096);
  }

  /**
   * A writer that starts with room for {@code capacity} bytes (a sender's previous batch size:
   * a batch of 1,000 sets grown from 4 KiB would copy itself five times on the way).
   */
  ReportWriter(int capacity) {
    out = new byte[Math.max(64, capacity)];
  }

  /** The wire bytes of the delta-encoded report batch, as {@link MixerWireCodec#encodeBatch}. */
  static byte[] write(List<AttributeBag> batch) {
    ReportWriter w = new ReportWriter();
    batch.forEach(w::add);
    return w.finish();
  }

  /**
   * Writes {@code bag} as the batch's next set.
   *
   * @throws IllegalArgumentException when a value has no wire form; nothing is written then
   */
  void add(AttributeBag bag) {
    ops = 0;
    edits = 0;
    if (wire == null || wire.vocabulary() != bag.vocabulary()) {
      wire = WireNames.of(bag.vocabulary());
    }
    if (previous == null || previous.vocabulary() != bag.vocabulary()) {
      whole(bag, previous);
    } else {
      delta(bag, previous);
    }
    int size = attributesSize(0, ops);
    int need = 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    if (length + need + TRAILER > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, length + need + TRAILER));
    }
    CodedOutputStream o = CodedOutputStream.newInstance(out, length, need);
    try {
      o.writeTag(1, LEN);
      o.writeUInt32NoTag(size);
      writeAttributes(o, 0, ops);
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    length += need;
    sets++;
    previous = bag;
    Arrays.fill(names, 0, ops, null);
    Arrays.fill(now, 0, ops, null);
    Arrays.fill(editKeys, 0, edits, null);
    Arrays.fill(editValues, 0, edits, null);
  }

  /** The sets written so far. */
  int sets() {
    return sets;
  }

  /** The bytes written so far. */
  int bytes() {
    return length;
  }

  /** The batch's bytes, closed with its {@code delta_encoded} flag; the writer is done. */
  byte[] finish() {
    close();
    return Arrays.copyOf(out, length + TRAILER);
  }

  /** As {@link #finish()}, copied once, straight into the buffer it is sent from. */
  Buffer finishBuffer() {
    close();
    int n = length + TRAILER;
    return Buffer.buffer(n).appendBytes(out, 0, n);
  }

  private void close() {
    CodedOutputStream o = CodedOutputStream.newInstance(out, length, TRAILER);
    try {
      o.writeBool(2, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    previous = null;
  }

  private void add(byte[] name, byte kind, Object value) {
    if (ops == names.length) {
      int n = ops * 2;
      names = Arrays.copyOf(names, n);
      kinds = Arrays.copyOf(kinds, n);
      now = Arrays.copyOf(now, n);
      sizes = Arrays.copyOf(sizes, n);
      editFrom = Arrays.copyOf(editFrom, n);
      editTo = Arrays.copyOf(editTo, n);
    }
    names[ops] = name;
    kinds[ops] = kind;
    now[ops] = value;
    ops++;
  }

  /** A set sent whole (the first, or one over another vocabulary than the set before). */
  private void whole(AttributeBag bag, AttributeBag previous) {
    AttributeVocabulary v = bag.vocabulary();
    for (int i = 0; i < v.size(); i++) {
      Object value = bag.get(i);
      if (value != null) {
        add(wire.utf8(i), VALUE, value);
      }
    }
    if (previous != null) {
      AttributeVocabulary p = previous.vocabulary();
      for (int i = 0; i < p.size(); i++) {
        if (previous.get(i) != null && bag.get(p.name(i)) == null) {
          add(p.name(i).getBytes(StandardCharsets.UTF_8), ABSENT, null);
        }
      }
    }
  }

  /**
   * A set sent as what changed since the set before, over the same vocabulary (two bags of one
   * {@link AttributeLayout} are compared at its varying attributes only: elsewhere both hold the
   * same objects, which the full comparison would skip one by one).
   */
  private void delta(AttributeBag bag, AttributeBag previous) {
    int[] varying = AttributeLayout.varyingBetween(bag, previous);
    if (varying != null) {
      for (int i : varying) {
        delta(i, bag.get(i), previous.get(i));
      }
      return;
    }
    for (int i = 0; i < bag.vocabulary().size(); i++) {
      delta(i, bag.get(i), previous.get(i));
    }
  }

  private void delta(int i, Object value, Object was) {
    if (value == was) {
      return;
    }
    if (value == null) {
      add(wire.utf8(i), ABSENT, null);
    } else if (wire.isMap(i) && was != null) {
      Map<?, ?> m = (Map<?, ?>) value;
      Map<?, ?> w = (Map<?, ?>) was;
      int from = edits;
      int changes = edit(m, w);
      if (changes == 0) {
        return;
      }
      if (changes < m.size()) {
        add(wire.utf8(i), MAP_DELTA, value);
        // After add, which grows the op arrays when they are full.
        editFrom[ops - 1] = from;
        editTo[ops - 1] = edits;
      } else {
        edits = from;
        add(wire.utf8(i), VALUE, value);
      }
    } else if (!value.equals(was)) {
      add(wire.utf8(i), VALUE, value);
    }
  }

  private int attributesSize(int from, int to) {
    int size = 0;
    for (int i = from; i < to; i++) {
      switch (kinds[i]) {
        case VALUE -> {
          int value = valueSize(now[i]);
          sizes[i] = value;
          size += entry(nameSize(names[i]) + 1 + CodedOutputStream.computeUInt32SizeNoTag(value) + value);
        }
        case ABSENT -> size += nameSize(names[i]);
        default -> {
          int delta = deltaSize(i);
          sizes[i] = delta;
          size += entry(nameSize(names[i]) + 1 + CodedOutputStream.computeUInt32SizeNoTag(delta) + delta);
        }
      }
    }
    return size;
  }

  /** A name's field (1 in an entry, 2 in {@code absent}): a one-byte tag, its length, its bytes. */
  private static int nameSize(byte[] name) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(name.length) + name.length;
  }

  private static void writeName(CodedOutputStream o, int field, byte[] name) throws IOException {
    o.writeTag(field, LEN);
    o.writeUInt32NoTag(name.length);
    o.writeRawBytes(name);
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

  /**
   * Records how {@code now} differs from {@code was} (entries put, keys removed) in
   * {@link #edits}, in one pass over each map; as {@link MixerWireCodec#mapChanges}, the count.
   */
  private int edit(Map<?, ?> now, Map<?, ?> was) {
    int kept = 0;
    int removed = 0;
    int from = edits;
    for (Map.Entry<?, ?> e : now.entrySet()) {
      Object before = was.get(e.getKey());
      if (before != null) {
        kept++;
      }
      if (!e.getValue().equals(before)) {
        edit(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
    }
    if (kept < was.size()) {
      for (Object k : was.keySet()) {
        if (!now.containsKey(k)) {
          edit(String.valueOf(k), null);
          removed++;
        }
      }
    }
    return edits - from - removed + (was.size() - kept);
  }

  private void edit(String key, String value) {
    if (edits == editKeys.length) {
      editKeys = Arrays.copyOf(editKeys, edits * 2);
      editValues = Arrays.copyOf(editValues, edits * 2);
    }
    editKeys[edits] = key;
    editValues[edits] = value;
    edits++;
  }

  private int deltaSize(int i) {
    int size = 0;
    for (int k = editFrom[i]; k < editTo[i]; k++) {
      size += editValues[k] != null ? entry(stringEntry(editKeys[k], editValues[k]))
          : CodedOutputStream.computeStringSize(2, editKeys[k]);
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
        writeName(o, 2, names[i]);
      }
    }
    for (int i = from; i < to; i++) {
      if (kinds[i] == MAP_DELTA) {
        writeEntryHead(o, 3, names[i], sizes[i]);
        writeDelta(o, i);
      }
    }
  }

  /** A map entry's head in field {@code field}: its length, its key, and its value's tag and length. */
  private static void writeEntryHead(CodedOutputStream o, int field, byte[] name, int valueSize) throws IOException {
    o.writeTag(field, LEN);
    o.writeUInt32NoTag(nameSize(name) + 1 + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize);
    writeName(o, 1, name);
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

  /** A StringMapDelta's fields: the entries put, then the keys removed. */
  private void writeDelta(CodedOutputStream o, int i) throws IOException {
    for (int k = editFrom[i]; k < editTo[i]; k++) {
      if (editValues[k] != null) {
        writeStringEntry(o, 1, editKeys[k], editValues[k]);
      }
    }
    for (int k = editFrom[i]; k < editTo[i]; k++) {
      if (editValues[k] == null) {
        o.writeString(2, editKeys[k]);
      }
    }
  }
}
