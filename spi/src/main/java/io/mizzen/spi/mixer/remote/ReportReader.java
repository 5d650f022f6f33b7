package io.mizzen.spi.mixer.remote;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a serialized {@code ReportRequest} straight into bags, the counterpart of
 * {@link ReportWriter} on Mixer's side: the same bags, value for value, as parsing the message with
 * protobuf and {@link MixerWireCodec#decodeBatch(io.mizzen.spi.wire.mixer.ReportRequest,
 * AttributeVocabulary)}, without building the messages first (a map entry, a {@code Value} and
 * their builders per attribute, then a map per set). Profiled in Mixer's server under the proxy
 * benchmark, protobuf's parse was as costly as applying the sets.
 */
final class ReportReader {
  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  /** A string map's entries, or a map delta's entries put. */
  private static final int ENTRY = (1 << 3 | LEN);

  private final AttributeVocabulary vocabulary;
  private final WireNames names;
  /** The batch being read: a value's attribute name is looked up where it lies in it. */
  private final byte[] bytes;
  // What one set says, applied in decodeBatch's order: its values, then its map deltas, then the
  // names it marks absent.
  private final List<MapEdit> deltas = new ArrayList<>();
  private final List<String> absent = new ArrayList<>();

  private ReportReader(AttributeVocabulary vocabulary, byte[] bytes) {
    this.vocabulary = vocabulary;
    this.names = WireNames.of(vocabulary);
    this.bytes = bytes;
  }

  /**
   * The sets of the serialized batch over {@code vocabulary}.
   *
   * @throws IllegalArgumentException when the bytes are not a {@code ReportRequest}, or as
   *     {@link MixerWireCodec#decode(io.mizzen.spi.wire.mixer.Attributes, AttributeVocabulary)}
   */
  static List<AttributeBag> read(byte[] bytes, AttributeVocabulary vocabulary) {
    try {
      return new ReportReader(vocabulary, bytes).batch();
    } catch (IOException e) {
      throw new IllegalArgumentException("the report batch is not a valid ReportRequest: " + e.getMessage(), e);
    }
  }

  private List<AttributeBag> batch() throws IOException {
    // delta_encoded may follow the sets (the proxy writes it last), so it is looked for first.
    boolean deltaEncoded = false;
    CodedInputStream scan = CodedInputStream.newInstance(bytes);
    for (int tag = scan.readTag(); tag != 0; tag = scan.readTag()) {
      if (tag == (2 << 3 | WireFormat.WIRETYPE_VARINT)) {
        deltaEncoded = scan.readBool();
      } else {
        scan.skipField(tag);
      }
    }
    List<AttributeBag> out = new ArrayList<>();
    AttributeBag previous = null;
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag != (1 << 3 | LEN)) {
        in.skipField(tag);
        continue;
      }
      AttributeBag base = deltaEncoded ? previous : null;
      int limit = in.pushLimit(in.readRawVarint32());
      AttributeBag bag = set(in, base);
      in.popLimit(limit);
      out.add(bag);
      previous = bag;
    }
    return out;
  }

  /** One Attributes message, over {@code base} (the set before in a delta-encoded batch) or alone. */
  private AttributeBag set(CodedInputStream in, AttributeBag base) throws IOException {
    values.clear();
    deltas.clear();
    absent.clear();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case (1 << 3) | LEN -> value(in, values);
        case (2 << 3) | LEN -> absent.add(in.readStringRequireUtf8());
        case (3 << 3) | LEN -> mapDelta(in);
        default -> in.skipField(tag);
      }
    }
    AttributeBag.Builder b = builderOver(base);
    values.replay(b);
    if (base != null) {
      for (MapEdit d : deltas) {
        applyDelta(b, base, d);
      }
      for (String gone : absent) {
        int index = vocabulary.indexOf(gone);
        if (index >= 0) {
          b.put(index, null);
        }
      }
    }
    return b.build();
  }

  /**
   * The builder of a set: over nothing (the first, or a set sent whole), or over the set before.
   * A delta set changes a few attributes of the one before, so the sets after the first are bags
   * of an {@link AttributeLayout} over it that vary at the attributes the sets change: each holds
   * those alone (one small array copy per set, not the vocabulary's), and Mixer's report memo
   * compares two of them at those attributes only. A set that changes an attribute the layout
   * does not vary starts a new layout, over the set before, varying at both.
   */
  private AttributeBag.Builder builderOver(AttributeBag base) {
    if (base == null) {
      return AttributeBag.builder(vocabulary);
    }
    int[] varying = AttributeLayout.varyingOf(base);
    int[] touched = touched();
    if (varying != null && varies(varying, touched)) {
      return AttributeBag.builder(base);
    }
    int[] both = touched;
    if (varying != null) {
      both = Arrays.copyOf(varying, varying.length + touched.length);
      System.arraycopy(touched, 0, both, varying.length, touched.length);
    }
    return AttributeLayout.of(base, both).builder();
  }

  /** Whether every known index of {@code touched} is among the ascending {@code varying}. */
  private static boolean varies(int[] varying, int[] touched) {
    for (int i : touched) {
      if (i >= 0 && Arrays.binarySearch(varying, i) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The vocabulary indexes the set being read puts, edits or marks absent (-1 for unknown names). */
  private int[] touched() {
    int[] out = new int[values.size + deltas.size() + absent.size()];
    System.arraycopy(values.indexes, 0, out, 0, values.size);
    int n = values.size;
    for (MapEdit d : deltas) {
      out[n++] = vocabulary.indexOf(d.name());
    }
    for (String gone : absent) {
      out[n++] = vocabulary.indexOf(gone);
    }
    return out;
  }

  /** A set's values as read, put into its builder once the builder is chosen. */
  private static final class Values {
    int[] indexes = new int[32];
    Object[] values = new Object[32];
    int size;

    void clear() {
      Arrays.fill(values, 0, size, null);
      size = 0;
    }

    void put(int index, Object value) {
      if (size == indexes.length) {
        indexes = Arrays.copyOf(indexes, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      indexes[size] = index;
      values[size++] = value;
    }

    void replay(AttributeBag.Builder b) {
      for (int i = 0; i < size; i++) {
        b.put(indexes[i], values[i]);
      }
    }
  }

  private final Values values = new Values();

  /** One entry of {@code values}: the name, then its Value. */
  private void value(CodedInputStream in, Values b) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    int index = -1;
    Object value = null;
    int kind = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == ((1 << 3) | LEN)) {
        index = name(in);
      } else if (tag == ((2 << 3) | LEN)) {
        int valueLimit = in.pushLimit(in.readRawVarint32());
        // A repeated value field is merged, as protobuf does: the last oneof case set wins.
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
          int field = WireFormat.getTagFieldNumber(t);
          switch (t) {
            case (1 << 3) | LEN -> value = in.readStringRequireUtf8();
            case (2 << 3) -> value = in.readInt64();
            case (3 << 3) | WireFormat.WIRETYPE_FIXED64 -> value = in.readDouble();
            case (4 << 3) -> value = in.readBool();
            case (5 << 3), (6 << 3) -> value = in.readInt64();
            case (7 << 3) | LEN -> value = in.readByteArray();
            case (8 << 3) | LEN -> value = stringMap(in, kind == 8 && value instanceof Map<?, ?> m ? m : null);
            default -> {
              in.skipField(t);
              continue;
            }
          }
          kind = field;
        }
        in.popLimit(valueLimit);
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    if (index >= 0) {
      b.put(index, MixerWireCodec.javaValue(vocabulary.name(index), kind, value, vocabulary.type(index)));
    }
  }

  /**
   * The vocabulary index of the attribute name that comes next (a length-delimited string), found
   * from its bytes where they lie in the batch; -1 for a name the vocabulary does not know.
   */
  private int name(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    // The stream reads the batch's array from its start: what it has read is where it is.
    int at = in.getTotalBytesRead();
    in.skipRawBytes(length); // throws, as protobuf does, for a string running past its message
    return names.indexOf(bytes, at, length);
  }

  /** A StringMap message's entries (merged into {@code into}'s, as protobuf merges a repeated message field). */
  private static Map<String, String> stringMap(CodedInputStream in, Map<?, ?> into) throws IOException {
    Map<String, String> entries = new HashMap<>();
    if (into != null) {
      into.forEach((k, v) -> entries.put((String) k, (String) v));
    }
    int limit = in.pushLimit(in.readRawVarint32());
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == ENTRY) {
        entry(in, entries);
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    return entries;
  }

  /** One map<string, string> entry; a missing key or value is the empty string, as in protobuf. */
  private static void entry(CodedInputStream in, Map<String, String> into) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String key = "";
    String value = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == ((1 << 3) | LEN)) {
        key = in.readStringRequireUtf8();
      } else if (tag == ((2 << 3) | LEN)) {
        value = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    into.put(key, value);
  }

  /** One entry of {@code map_deltas}: a string map attribute's edit of its value in the set before. */
  private record MapEdit(String name, Map<String, String> put, List<String> removed) {}

  /** One entry of {@code map_deltas}, kept until the set's values are in. */
  private void mapDelta(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String name = "";
    Map<String, String> put = new HashMap<>();
    List<String> removed = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == ((1 << 3) | LEN)) {
        name = in.readStringRequireUtf8();
      } else if (tag == ((2 << 3) | LEN)) {
        // A repeated delta message for one entry merges, as protobuf does: puts and removals add up.
        int deltaLimit = in.pushLimit(in.readRawVarint32());
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
          if (t == ENTRY) {
            entry(in, put);
          } else if (t == ((2 << 3) | LEN)) {
            removed.add(in.readStringRequireUtf8());
          } else {
            in.skipField(t);
          }
        }
        in.popLimit(deltaLimit);
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    // A map field repeated for one key: the last entry wins.
    String key = name;
    deltas.removeIf(d -> d.name().equals(key));
    deltas.add(new MapEdit(name, put, removed));
  }

  private void applyDelta(AttributeBag.Builder b, AttributeBag previous, MapEdit edit) {
    int index = vocabulary.indexOf(edit.name());
    if (index >= 0) {
      MixerWireCodec.applyMapDelta(b, previous, index, edit.name(), edit.put(), edit.removed());
    }
  }
}
