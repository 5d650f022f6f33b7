package io.mizzen.spi.mixer.remote;

import com.google.protobuf.ByteString;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.QuotaResult;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.wire.mixer.Attributes;
import io.mizzen.spi.wire.mixer.CheckReply;
import io.mizzen.spi.wire.mixer.Keys;
import io.mizzen.spi.wire.mixer.QuotaGrant;
import io.mizzen.spi.wire.mixer.QuotaParams;
import io.mizzen.spi.wire.mixer.Referenced;
import io.mizzen.spi.wire.mixer.ReportRequest;
import io.mizzen.spi.wire.mixer.StringMap;
import io.mizzen.spi.wire.mixer.StringMapDelta;
import io.mizzen.spi.wire.mixer.Value;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Converts Mixer's values to and from {@code mixer.proto}; both ends use this one codec. */
public final class MixerWireCodec {
  private MixerWireCodec() {}

  /** The present attributes of {@code bag}, by name. */
  public static Attributes encode(AttributeBag bag) {
    Attributes.Builder out = Attributes.newBuilder();
    AttributeVocabulary v = bag.vocabulary();
    for (int i = 0; i < v.size(); i++) {
      Object value = bag.get(i);
      if (value != null) {
        out.putValues(v.name(i), value(value));
      }
    }
    return out.build();
  }

  /**
   * A report batch for the wire, delta-encoded: every set after the first carries only the
   * attributes whose value differs from the set before it, and the names that became absent; a
   * string map that differs in fewer keys than it holds goes as its edit ({@code map_deltas}).
   */
  public static ReportRequest encodeBatch(List<AttributeBag> batch) {
    ReportRequest.Builder out = ReportRequest.newBuilder().setDeltaEncoded(true);
    AttributeBag previous = null;
    for (AttributeBag bag : batch) {
      if (previous == null || previous.vocabulary() != bag.vocabulary()) {
        // A set over another vocabulary is sent whole: the delta is taken by index.
        Attributes.Builder whole = encode(bag).toBuilder();
        if (previous != null) {
          previous.toMap().keySet().stream().filter(n -> bag.get(n) == null).forEach(whole::addAbsent);
        }
        out.addBatch(whole);
      } else {
        Attributes.Builder delta = Attributes.newBuilder();
        AttributeVocabulary v = bag.vocabulary();
        for (int i = 0; i < v.size(); i++) {
          Object now = bag.get(i);
          Object before = previous.get(i);
          if (now == before) {
            continue;
          }
          if (now == null) {
            delta.addAbsent(v.name(i));
          } else if (now instanceof Map<?, ?> m && before instanceof Map<?, ?> was) {
            int changes = mapChanges(m, was);
            if (changes == 0) {
              continue;
            }
            if (changes < m.size()) {
              delta.putMapDeltas(v.name(i), mapDelta(m, was));
            } else {
              delta.putValues(v.name(i), value(now));
            }
          } else if (!now.equals(before)) {
            delta.putValues(v.name(i), value(now));
          }
        }
        out.addBatch(delta);
      }
      previous = bag;
    }
    return out.build();
  }

  /**
   * The serialized form of {@link #encodeBatch}, written straight from the bags without building
   * the protobuf messages: what the proxy sends, once per batch.
   */
  public static byte[] encodeBatchBytes(List<AttributeBag> batch) {
    return ReportWriter.write(batch);
  }

  /** How many entries of {@code now} differ from {@code before}, keys it lost included. */
  static int mapChanges(Map<?, ?> now, Map<?, ?> before) {
    int changes = 0;
    int kept = 0;
    for (Map.Entry<?, ?> e : now.entrySet()) {
      Object was = before.get(e.getKey());
      if (was == null) {
        changes++;
      } else {
        kept++;
        if (!was.equals(e.getValue())) {
          changes++;
        }
      }
    }
    return changes + (before.size() - kept);
  }

  private static StringMapDelta mapDelta(Map<?, ?> now, Map<?, ?> before) {
    StringMapDelta.Builder d = StringMapDelta.newBuilder();
    now.forEach((k, x) -> {
      if (!x.equals(before.get(k))) {
        d.putPut(String.valueOf(k), String.valueOf(x));
      }
    });
    for (Object k : before.keySet()) {
      if (!now.containsKey(k)) {
        d.addRemoved(String.valueOf(k));
      }
    }
    return d.build();
  }

  /**
   * The sets of a report batch over {@code vocabulary}, delta-encoded or not.
   *
   * @throws IllegalArgumentException as {@link #decode(Attributes, AttributeVocabulary)}
   */
  public static List<AttributeBag> decodeBatch(ReportRequest wire, AttributeVocabulary vocabulary) {
    List<AttributeBag> out = new java.util.ArrayList<>(wire.getBatchCount());
    AttributeBag previous = null;
    for (Attributes a : wire.getBatchList()) {
      AttributeBag bag;
      if (!wire.getDeltaEncoded() || previous == null) {
        bag = decode(a, vocabulary);
      } else {
        // The set before, taken whole (one array copy: its values are immutable and already
        // checked), then what changed.
        AttributeBag.Builder b = AttributeBag.builder(previous);
        putAll(b, a, vocabulary);
        for (Map.Entry<String, StringMapDelta> e : a.getMapDeltasMap().entrySet()) {
          int index = vocabulary.indexOf(e.getKey());
          if (index < 0) {
            continue;
          }
          applyMapDelta(b, previous, index, e.getKey(), e.getValue().getPutMap(), e.getValue().getRemovedList());
        }
        for (String gone : a.getAbsentList()) {
          int index = vocabulary.indexOf(gone);
          if (index >= 0) {
            b.put(index, null);
          }
        }
        bag = b.build();
      }
      out.add(bag);
      previous = bag;
    }
    return out;
  }

  /**
   * Sets attribute {@code index} of {@code b} to the string map of {@code previous} (the set
   * before) with {@code put} put and {@code removed} taken out: a {@code StringMapDelta} applied,
   * for the message path and for {@link ReportReader} alike.
   *
   * @throws IllegalArgumentException when the set before has no map there
   */
  @SuppressWarnings("unchecked")
  static void applyMapDelta(AttributeBag.Builder b, AttributeBag previous, int index, String name,
      Map<String, String> put, List<String> removed) {
    if (!(previous.get(index) instanceof Map<?, ?> was)) {
      throw new IllegalArgumentException("attribute " + name + " is sent as a map delta but the set before has no map for it");
    }
    Map<String, String> edited = new java.util.HashMap<>((Map<String, String>) was);
    edited.putAll(put);
    removed.forEach(edited::remove);
    b.put(index, edited);
  }

  /**
   * The sets of a serialized {@code ReportRequest}, read straight from its bytes: the same bags as
   * parsing it and calling {@link #decodeBatch(ReportRequest, AttributeVocabulary)}, which is what
   * Mixer's server does with every batch.
   *
   * @throws IllegalArgumentException when the bytes are not a {@code ReportRequest}, or as
   *     {@link #decode(Attributes, AttributeVocabulary)}
   */
  public static List<AttributeBag> decodeBatch(byte[] wire, AttributeVocabulary vocabulary) {
    return ReportReader.read(wire, vocabulary);
  }

  private static Value value(Object v) {
    Value.Builder b = Value.newBuilder();
    if (v instanceof String s) {
      b.setStringValue(s);
    } else if (v instanceof Long l) {
      b.setInt64Value(l);
    } else if (v instanceof Double d) {
      b.setDoubleValue(d);
    } else if (v instanceof Boolean x) {
      b.setBoolValue(x);
    } else if (v instanceof Instant t) {
      b.setTimestampNanos(t.getEpochSecond() * 1_000_000_000L + t.getNano());
    } else if (v instanceof Duration d) {
      b.setDurationNanos(d.toNanos());
    } else if (v instanceof InetAddress a) {
      b.setIpAddress(ByteString.copyFrom(a.getAddress()));
    } else if (v instanceof Map<?, ?> m) {
      StringMap.Builder sm = StringMap.newBuilder();
      m.forEach((k, x) -> sm.putEntries(String.valueOf(k), String.valueOf(x)));
      b.setStringMap(sm);
    } else {
      throw new IllegalArgumentException("no wire form for " + v.getClass().getName());
    }
    return b.build();
  }

  /**
   * The bag for {@code wire} over {@code vocabulary}. Attributes the vocabulary does not know are
   * dropped (a newer proxy may send more).
   *
   * @throws IllegalArgumentException naming the attribute whose value has the wrong type
   */
  public static AttributeBag decode(Attributes wire, AttributeVocabulary vocabulary) {
    AttributeBag.Builder b = AttributeBag.builder(vocabulary);
    putAll(b, wire, vocabulary);
    return b.build();
  }

  private static void putAll(AttributeBag.Builder b, Attributes wire, AttributeVocabulary vocabulary) {
    for (Map.Entry<String, Value> e : wire.getValuesMap().entrySet()) {
      int index = vocabulary.indexOf(e.getKey());
      if (index < 0) {
        continue;
      }
      ValueType type = vocabulary.type(index);
      Object value = javaValue(e.getKey(), e.getValue(), type);
      b.put(index, value);
    }
  }

  private static Object javaValue(String name, Value v, ValueType type) {
    Object raw = switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT64_VALUE -> v.getInt64Value();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      case TIMESTAMP_NANOS -> v.getTimestampNanos();
      case DURATION_NANOS -> v.getDurationNanos();
      case IP_ADDRESS -> v.getIpAddress().toByteArray();
      case STRING_MAP -> v.getStringMap().getEntriesMap();
      case KIND_NOT_SET -> null;
    };
    return javaValue(name, v.getKindCase().getNumber(), raw, type);
  }

  /**
   * An attribute's value from what its {@code Value} held, for the message path and for
   * {@link ReportReader} alike.
   *
   * @param kind the number of the {@code Value} field that was set (0: none)
   * @param raw that field as read: a String, a Long (int64, timestamp and duration nanos), a
   *     Double, a Boolean, the address bytes, or the string map
   * @throws IllegalArgumentException when {@code type} is not sent as that field, or an address is
   *     not 4 or 16 bytes
   */
  static Object javaValue(String name, int kind, Object raw, ValueType type) {
    int expected = switch (type) {
      case STRING, EMAIL_ADDRESS, DNS_NAME, URI -> Value.STRING_VALUE_FIELD_NUMBER;
      case INT64 -> Value.INT64_VALUE_FIELD_NUMBER;
      case DOUBLE -> Value.DOUBLE_VALUE_FIELD_NUMBER;
      case BOOL -> Value.BOOL_VALUE_FIELD_NUMBER;
      case TIMESTAMP -> Value.TIMESTAMP_NANOS_FIELD_NUMBER;
      case DURATION -> Value.DURATION_NANOS_FIELD_NUMBER;
      case IP_ADDRESS -> Value.IP_ADDRESS_FIELD_NUMBER;
      case STRING_MAP -> Value.STRING_MAP_FIELD_NUMBER;
    };
    if (kind != expected) {
      throw new IllegalArgumentException("attribute " + name + " is " + type + " but was sent as " + Value.KindCase.forNumber(kind));
    }
    return switch (type) {
      case TIMESTAMP -> {
        long nanos = (Long) raw;
        yield Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
      }
      case DURATION -> Duration.ofNanos((Long) raw);
      case IP_ADDRESS -> {
        try {
          yield InetAddress.getByAddress((byte[]) raw);
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("attribute " + name + " is not a 4 or 16 byte address", e);
        }
      }
      case STRING_MAP -> Map.copyOf((Map<?, ?>) raw);
      default -> raw;
    };
  }

  /** A Check request for the wire. */
  public static io.mizzen.spi.wire.mixer.CheckRequest encode(CheckRequest request) {
    io.mizzen.spi.wire.mixer.CheckRequest.Builder b = io.mizzen.spi.wire.mixer.CheckRequest.newBuilder()
        .setAttributes(encode(request.attributes()));
    request.quotas().forEach((name, q) -> b.putQuotas(name, QuotaParams.newBuilder().setAmount(q.amount())
        .setBestEffort(q.bestEffort()).setDeduplicationId(q.deduplicationId() == null ? "" : q.deduplicationId()).build()));
    return b.build();
  }

  /** A Check request from the wire. @throws IllegalArgumentException as {@link #decode(Attributes, AttributeVocabulary)} */
  public static CheckRequest decode(io.mizzen.spi.wire.mixer.CheckRequest wire, AttributeVocabulary vocabulary) {
    Map<String, QuotaArgs> quotas = new LinkedHashMap<>();
    wire.getQuotasMap().forEach((name, q) -> quotas.put(name, new QuotaArgs(q.getAmount(), q.getDeduplicationId(), q.getBestEffort())));
    return new CheckRequest(decode(wire.getAttributes(), vocabulary), quotas);
  }

  /** A Check answer for the wire, with no config generation. */
  public static CheckReply encode(CheckResponse r) {
    return encode(r, 0);
  }

  /** A Check answer for the wire, given under config version {@code generation}. */
  public static CheckReply encode(CheckResponse r, long generation) {
    CheckResult p = r.precondition();
    Referenced refs = encode(r.referenced());
    CheckReply.Builder b = CheckReply.newBuilder()
        .setStatusCode(p.statusCode()).setStatusMessage(p.message() == null ? "" : p.message())
        .setValidDurationNanos(p.validDuration() == null ? 0 : p.validDuration().toNanos())
        .setValidUseCount(p.validUseCount()).setReferenced(refs).setConfigGeneration(generation);
    r.requestHeaderOperations().forEach(op -> b.addRequestHeaderOperations(encode(op)));
    r.responseHeaderOperations().forEach(op -> b.addResponseHeaderOperations(encode(op)));
    r.quotas().forEach((name, q) -> b.putQuotas(name, QuotaGrant.newBuilder().setGranted(q.granted())
        .setValidDurationNanos(q.validDuration() == null ? 0 : q.validDuration().toNanos()).build()));
    return b.build();
  }

  /** Referenced attributes for the wire (a verdict's, or what a config reads). */
  public static Referenced encode(ReferencedAttributes r) {
    Referenced.Builder refs = Referenced.newBuilder().addAllAttributes(r.attributes());
    r.mapKeys().forEach((m, keys) -> refs.putMapKeys(m, Keys.newBuilder().addAllKeys(keys).build()));
    return refs.build();
  }

  /** Referenced attributes from the wire. */
  public static ReferencedAttributes decode(Referenced wire) {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    wire.getMapKeysMap().forEach((m, k) -> keys.put(m, new HashSet<>(k.getKeysList())));
    return new ReferencedAttributes(new HashSet<>(wire.getAttributesList()), keys);
  }

  /** A Check answer from the wire. @throws IllegalArgumentException on an unknown header operation */
  public static CheckResponse decode(CheckReply wire) {
    CheckResult precondition = new CheckResult(wire.getStatusCode(), wire.getStatusMessage(),
        Duration.ofNanos(wire.getValidDurationNanos()), wire.getValidUseCount());
    ReferencedAttributes refs = decode(wire.getReferenced());
    Map<String, QuotaResult> quotas = new LinkedHashMap<>();
    wire.getQuotasMap().forEach((name, q) -> quotas.put(name, new QuotaResult(q.getGranted(), Duration.ofNanos(q.getValidDurationNanos()))));
    return new CheckResponse(precondition, refs, decode(wire.getRequestHeaderOperationsList()),
        decode(wire.getResponseHeaderOperationsList()), quotas);
  }

  private static io.mizzen.spi.wire.mixer.HeaderOperation encode(HeaderOperation op) {
    return io.mizzen.spi.wire.mixer.HeaderOperation.newBuilder().setName(op.name()).addAllValues(op.values())
        .setOperation(op.operation().name()).build();
  }

  private static List<HeaderOperation> decode(List<io.mizzen.spi.wire.mixer.HeaderOperation> ops) {
    return ops.stream().map(op -> new HeaderOperation(op.getName(), op.getValuesList(),
        HeaderOperation.Operation.valueOf(op.getOperation()))).toList();
  }
}
