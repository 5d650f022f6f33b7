package io.mizzen.spi.mixer.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
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
import io.mizzen.spi.wire.mixer.ReportRequest;
import io.mizzen.spi.wire.mixer.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MixerWireCodecTest {
  private static AttributeVocabulary vocabulary() {
    Map<String, ValueType> m = new LinkedHashMap<>();
    for (ValueType t : ValueType.values()) {
      m.put("a." + t.name().toLowerCase(), t);
    }
    return AttributeVocabulary.of(m);
  }

  @Test
  void everyTypeSurvivesTheRoundTrip() {
    AttributeVocabulary v = vocabulary();
    AttributeBag bag = AttributeBag.builder(v)
        .put("a.string", "s").put("a.int64", -5L).put("a.double", 2.5).put("a.bool", true)
        .put("a.timestamp", Instant.parse("1969-12-31T23:59:59.5Z")).put("a.duration", Duration.ofMillis(1500))
        .put("a.ip_address", AttributeValues.ipAddress("fd00::1")).put("a.email_address", "a@b.c")
        .put("a.dns_name", "x.y").put("a.uri", "http://x/").put("a.string_map", Map.of("k", "v"))
        .build();
    assertEquals(bag.toMap(), MixerWireCodec.decode(MixerWireCodec.encode(bag), v).toMap());
  }

  @Test
  void aReportBatchTravelsAsDeltasAndComesBackWhole() {
    AttributeVocabulary v = vocabulary();
    AttributeBag first = AttributeBag.builder(v).put("a.string", "ratings").put("a.int64", 200L)
        .put("a.string_map", Map.of("x-user", "jane")).put("a.bool", true).build();
    AttributeBag same = AttributeBag.builder(v).put("a.string", "ratings").put("a.int64", 200L)
        .put("a.string_map", Map.of("x-user", "jane")).put("a.bool", true).build();
    AttributeBag changed = AttributeBag.builder(v).put("a.string", "ratings").put("a.int64", 503L)
        .put("a.string_map", Map.of("x-user", "john")).put("a.dns_name", "x.y").build();
    AttributeVocabulary other = AttributeVocabulary.of(Map.of("a.string", ValueType.STRING, "b.only", ValueType.STRING));
    AttributeBag elsewhere = AttributeBag.builder(other).put("a.string", "reviews").build();
    List<AttributeBag> batch = List.of(first, same, changed, elsewhere);

    io.mizzen.spi.wire.mixer.ReportRequest wire = MixerWireCodec.encodeBatch(batch);
    assertTrue(wire.getDeltaEncoded());
    assertEquals(0, wire.getBatch(1).getValuesCount(), "an identical set sends nothing");
    assertEquals(Set.of("a.int64", "a.string_map", "a.dns_name"), wire.getBatch(2).getValuesMap().keySet());
    assertEquals(List.of("a.bool"), wire.getBatch(2).getAbsentList());

    List<AttributeBag> back = MixerWireCodec.decodeBatch(wire, v);
    assertEquals(4, back.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(batch.get(i).toMap(), back.get(i).toMap(), "set " + i);
    }
    assertEquals(Map.of("a.string", "reviews"), back.get(3).toMap(), "a set over another vocabulary goes whole");
  }

  @Test
  void aMapThatChangedInFewKeysTravelsAsItsEdit() {
    AttributeVocabulary v = vocabulary();
    Map<String, String> headers = Map.of("host", "ratings", "x-request-id", "1", "traceparent", "t1", "user-agent", "wrk");
    AttributeBag first = AttributeBag.builder(v).put("a.string_map", headers).put("a.string", "x").build();
    AttributeBag second = AttributeBag.builder(v).put("a.string_map",
        Map.of("host", "ratings", "x-request-id", "2", "traceparent", "t1", "x-new", "n")).put("a.string", "x").build();
    AttributeBag third = AttributeBag.builder(v).put("a.string_map", Map.of("a", "b")).put("a.string", "x").build();
    List<AttributeBag> batch = List.of(first, second, third);

    io.mizzen.spi.wire.mixer.ReportRequest wire = MixerWireCodec.encodeBatch(batch);
    assertEquals(0, wire.getBatch(1).getValuesCount());
    io.mizzen.spi.wire.mixer.StringMapDelta edit = wire.getBatch(1).getMapDeltasOrThrow("a.string_map");
    assertEquals(Map.of("x-request-id", "2", "x-new", "n"), edit.getPutMap());
    assertEquals(List.of("user-agent"), edit.getRemovedList());
    assertEquals(Set.of("a.string_map"), wire.getBatch(2).getValuesMap().keySet(), "a map mostly changed goes whole");

    List<AttributeBag> back = MixerWireCodec.decodeBatch(wire, v);
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(batch.get(i).toMap(), back.get(i).toMap(), "set " + i);
    }
  }

  @Test
  void theWrittenBatchIsTheEncodedOneByteForByte() throws Exception {
    AttributeVocabulary v = vocabulary();
    AttributeBag all = everyType(v);
    AttributeBag edited = AttributeBag.builder(v).put("a.string", "s").put("a.int64", 0L)
        .put("a.string_map", Map.of("k", "v", "k2", "w", "k3", "3")).build();
    AttributeBag same = AttributeBag.builder(edited).build();
    AttributeBag empty = AttributeBag.empty(v);
    AttributeVocabulary other = AttributeVocabulary.of(Map.of("a.string", ValueType.STRING, "b.only", ValueType.STRING));
    AttributeBag elsewhere = AttributeBag.builder(other).put("a.string", "reviews").put("b.only", "x").build();
    AttributeBag back = AttributeBag.builder(v).put("a.string_map", Map.of()).build();
    List<AttributeBag> batch = List.of(all, edited, same, empty, all, elsewhere, back, edited);

    byte[] written = MixerWireCodec.encodeBatchBytes(batch);
    io.mizzen.spi.wire.mixer.ReportRequest parsed = io.mizzen.spi.wire.mixer.ReportRequest.parseFrom(written);
    assertEquals(MixerWireCodec.encodeBatch(batch), parsed);
    assertEquals(MixerWireCodec.encodeBatch(batch).getSerializedSize(), written.length);
    List<AttributeBag> decoded = MixerWireCodec.decodeBatch(parsed, v);
    assertEquals(all.toMap(), decoded.get(0).toMap());
    assertEquals(edited.toMap(), decoded.get(7).toMap());
    assertEquals(0, MixerWireCodec.encodeBatchBytes(List.of()).length - 2, "an empty batch is its delta flag alone");
  }

  /**
   * Bags of one layout (a sidecar's) are written comparing their varying attributes only: the
   * bytes are those of the same batch built whole, and a layout bag next to a whole one is
   * compared fully.
   */
  @Test
  void layoutBagsAreWrittenAsTheSameBagsBuiltWhole() throws Exception {
    AttributeVocabulary v = vocabulary();
    AttributeBag base = AttributeBag.builder(v).put("a.string", "ratings").put("a.string_map", Map.of("app", "ratings"))
        .put("a.bool", true).build();
    io.mizzen.spi.mixer.AttributeLayout layout = io.mizzen.spi.mixer.AttributeLayout.of(base,
        v.indexOf("a.int64"), v.indexOf("a.duration"), v.indexOf("a.bool"));
    List<AttributeBag> laid = new java.util.ArrayList<>();
    List<AttributeBag> whole = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long n = i / 2;
      laid.add(layout.builder().put("a.int64", n).put("a.duration", Duration.ofMillis(i)).put("a.bool", i % 3 == 0 ? null : true)
          .build());
      whole.add(AttributeBag.builder(base).put("a.int64", n).put("a.duration", Duration.ofMillis(i))
          .put("a.bool", i % 3 == 0 ? null : true).build());
    }
    // The base's own values change too when a bag leaves the layout.
    laid.add(AttributeBag.builder(v).put("a.string", "reviews").put("a.int64", 9L).build());
    whole.add(AttributeBag.builder(v).put("a.string", "reviews").put("a.int64", 9L).build());
    laid.add(laid.get(2));
    whole.add(whole.get(2));
    assertEquals(java.util.HexFormat.of().formatHex(MixerWireCodec.encodeBatchBytes(whole)),
        java.util.HexFormat.of().formatHex(MixerWireCodec.encodeBatchBytes(laid)));
    List<AttributeBag> read = MixerWireCodec.decodeBatch(MixerWireCodec.encodeBatchBytes(laid), v);
    for (int i = 0; i < laid.size(); i++) {
      assertEquals(whole.get(i).toMap(), read.get(i).toMap(), "set " + i);
    }
    // Read back, the sets after the first are bags of a layout over the set before, varying at
    // what the sets change: sets 3 and 4 change nothing the layout of set 2 does not vary.
    assertNull(io.mizzen.spi.mixer.AttributeLayout.varyingOf(read.get(0)));
    assertTrue(io.mizzen.spi.mixer.AttributeLayout.varyingBetween(read.get(3), read.get(4)) != null);
    assertEquals(List.of(v.indexOf("a.int64"), v.indexOf("a.bool"), v.indexOf("a.duration")).stream().sorted().toList(),
        java.util.Arrays.stream(io.mizzen.spi.mixer.AttributeLayout.varyingOf(read.get(4))).boxed().toList());
  }

  /** A set whose map edit is its 65th changed attribute, the one that outgrows the writer's first arrays. */
  @Test
  void aSetChangingManyAttributesWithAMapEditLastIsWrittenAndReadBack() {
    Map<String, ValueType> types = new LinkedHashMap<>();
    for (int i = 0; i < 64; i++) {
      types.put(String.format("a.s%03d", i), ValueType.STRING);
    }
    types.put("z.headers", ValueType.STRING_MAP);
    AttributeVocabulary v = AttributeVocabulary.of(types);
    AttributeBag.Builder first = AttributeBag.builder(v).put("z.headers", Map.of("a", "1", "b", "2", "c", "3"));
    AttributeBag.Builder second = AttributeBag.builder(v).put("z.headers", Map.of("a", "1", "b", "2", "c", "4"));
    for (int i = 0; i < 64; i++) {
      // New in the second set only: the first, sent whole, is small and leaves the arrays as they were.
      second.put(String.format("a.s%03d", i), "y" + i);
    }
    List<AttributeBag> batch = List.of(first.build(), second.build());
    List<AttributeBag> read = MixerWireCodec.decodeBatch(MixerWireCodec.encodeBatchBytes(batch), v);
    assertEquals(batch.get(0).toMap(), read.get(0).toMap());
    assertEquals(batch.get(1).toMap(), read.get(1).toMap());
  }

  /** A bag with a value of every type, non-ASCII text and an empty string among them. */
  private static AttributeBag everyType(AttributeVocabulary v) {
    return AttributeBag.builder(v)
        .put("a.string", "s").put("a.int64", -5L).put("a.double", 2.5).put("a.bool", false)
        .put("a.timestamp", Instant.parse("1969-12-31T23:59:59.5Z")).put("a.duration", Duration.ofMillis(1500))
        .put("a.ip_address", AttributeValues.ipAddress("fd00::1")).put("a.email_address", "é@b.c")
        .put("a.dns_name", "").put("a.uri", "http://x/").put("a.string_map", Map.of("k", "v", "k2", "ü", "k3", "3"))
        .build();
  }

  /** Mixer's server reads batches from their bytes: the same bags as protobuf's parse and decodeBatch. */
  @Test
  void readingTheBytesGivesTheBagsTheParsedMessageGives() throws Exception {
    AttributeVocabulary v = vocabulary();
    AttributeBag all = everyType(v);
    AttributeBag edited = AttributeBag.builder(v).put("a.string", "s").put("a.int64", 0L)
        .put("a.string_map", Map.of("k", "v", "k2", "w", "k4", "4")).build();
    AttributeBag back = AttributeBag.builder(v).put("a.string_map", Map.of()).build();
    List<AttributeBag> batch = List.of(all, edited, AttributeBag.builder(edited).build(), AttributeBag.empty(v), all, back, edited);
    io.mizzen.spi.wire.mixer.ReportRequest delta = MixerWireCodec.encodeBatch(batch);
    io.mizzen.spi.wire.mixer.ReportRequest whole = delta.toBuilder().clearBatch().setDeltaEncoded(false)
        .addAllBatch(batch.stream().map(MixerWireCodec::encode).toList()).build();
    for (io.mizzen.spi.wire.mixer.ReportRequest wire : List.of(delta, whole)) {
      List<AttributeBag> read = MixerWireCodec.decodeBatch(wire.toByteArray(), v);
      List<AttributeBag> parsed = MixerWireCodec.decodeBatch(wire, v);
      assertEquals(batch.size(), read.size());
      for (int i = 0; i < batch.size(); i++) {
        assertEquals(batch.get(i).toMap(), read.get(i).toMap(), "set " + i);
        assertEquals(parsed.get(i).toMap(), read.get(i).toMap(), "set " + i);
      }
    }
    // The flag may come first (protobuf writes fields in number order).
    byte[] flagFirst = io.mizzen.spi.wire.mixer.ReportRequest.newBuilder().setDeltaEncoded(true).build().toByteArray();
    byte[] sets = delta.toBuilder().setDeltaEncoded(false).build().toByteArray();
    byte[] both = java.util.Arrays.copyOf(flagFirst, flagFirst.length + sets.length);
    System.arraycopy(sets, 0, both, flagFirst.length, sets.length);
    assertEquals(edited.toMap(), MixerWireCodec.decodeBatch(both, v).get(6).toMap());

    Attributes wrong = Attributes.newBuilder().putValues("a.int64", Value.newBuilder().setStringValue("7").build()).build();
    byte[] wrongBytes = io.mizzen.spi.wire.mixer.ReportRequest.newBuilder().addBatch(wrong).build().toByteArray();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixerWireCodec.decodeBatch(wrongBytes, v));
    assertEquals("attribute a.int64 is INT64 but was sent as STRING_VALUE", e.getMessage());
    IllegalArgumentException notProto = assertThrows(IllegalArgumentException.class,
        () -> MixerWireCodec.decodeBatch(new byte[] {0x0a, 0x7f, 0x01}, v));
    assertTrue(notProto.getMessage().startsWith("the report batch is not a valid ReportRequest"), notProto.getMessage());
    IllegalArgumentException orphan = assertThrows(IllegalArgumentException.class, () -> MixerWireCodec.decodeBatch(
        io.mizzen.spi.wire.mixer.ReportRequest.newBuilder().setDeltaEncoded(true).addBatch(Attributes.getDefaultInstance())
            .addBatch(Attributes.newBuilder().putMapDeltas("a.string_map", io.mizzen.spi.wire.mixer.StringMapDelta.getDefaultInstance()))
            .build().toByteArray(), v));
    assertTrue(orphan.getMessage().contains("a.string_map is sent as a map delta"), orphan.getMessage());
  }

  @Test
  void attributeNamesAreFoundFromTheirBytesAsProtobufWouldReadThem() throws Exception {
    AttributeVocabulary v = vocabulary();
    byte[] known = batchWithName("a.string".getBytes(StandardCharsets.UTF_8));
    assertEquals(Map.of("a.string", "x"), MixerWireCodec.decodeBatch(known, v).get(0).toMap());
    assertEquals(Map.of("a.string", "x"), MixerWireCodec.decodeBatch(ReportRequest.parseFrom(known), v).get(0).toMap());
    // A name the vocabulary does not know, or knows only as a prefix, is dropped.
    for (String unknown : List.of("a.strin", "a.string2", "", "ünknown")) {
      assertEquals(Map.of(), MixerWireCodec.decodeBatch(batchWithName(unknown.getBytes(StandardCharsets.UTF_8)), v).get(0).toMap(), unknown);
    }
    // Not UTF-8: protobuf refuses the message, and so does the reader, known names or not.
    byte[] notUtf8 = batchWithName(new byte[] {'a', (byte) 0xff});
    assertThrows(InvalidProtocolBufferException.class, () -> ReportRequest.parseFrom(notUtf8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixerWireCodec.decodeBatch(notUtf8, v));
    assertTrue(e.getMessage().startsWith("the report batch is not a valid ReportRequest"), e.getMessage());
    // A name's length running past its entry.
    byte[] cut = known.clone();
    cut[5] = 100;
    assertThrows(InvalidProtocolBufferException.class, () -> ReportRequest.parseFrom(cut));
    assertThrows(IllegalArgumentException.class, () -> MixerWireCodec.decodeBatch(cut, v));

    // Names beyond ASCII are written as protobuf writes them and found again.
    AttributeVocabulary wide = AttributeVocabulary.of(Map.of("größe.ü", ValueType.INT64, "名前", ValueType.STRING));
    List<AttributeBag> batch = List.of(AttributeBag.builder(wide).put("größe.ü", 1L).put("名前", "n").build(),
        AttributeBag.builder(wide).put("größe.ü", 2L).build());
    byte[] written = ReportWriter.write(batch);
    assertArrayEquals(MixerWireCodec.encodeBatch(batch).toByteArray(), written);
    List<AttributeBag> read = MixerWireCodec.decodeBatch(written, wide);
    assertEquals(batch.get(0).toMap(), read.get(0).toMap());
    assertEquals(batch.get(1).toMap(), read.get(1).toMap());
  }

  /** A ReportRequest of one set of one string value, "x", under a name of these bytes. */
  private static byte[] batchWithName(byte[] name) throws IOException {
    byte[] entry = message(o -> {
      o.writeByteArray(1, name);
      o.writeByteArray(2, Value.newBuilder().setStringValue("x").build().toByteArray());
    });
    byte[] set = message(o -> o.writeByteArray(1, entry));
    return message(o -> o.writeByteArray(1, set));
  }

  private interface Fields {
    void write(CodedOutputStream o) throws IOException;
  }

  private static byte[] message(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(bytes);
    fields.write(o);
    o.flush();
    return bytes.toByteArray();
  }

  @Test
  void unknownAttributesAreDroppedAndWrongTypesRefused() {
    AttributeVocabulary v = vocabulary();
    Attributes wire = Attributes.newBuilder()
        .putValues("from.a.newer.proxy", Value.newBuilder().setStringValue("x").build())
        .putValues("a.int64", Value.newBuilder().setStringValue("7").build()).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixerWireCodec.decode(wire, v));
    assertTrue(e.getMessage().contains("a.int64 is INT64"), e.getMessage());
    Attributes ok = Attributes.newBuilder().putValues("from.a.newer.proxy", Value.newBuilder().setStringValue("x").build()).build();
    assertNull(MixerWireCodec.decode(ok, v).get("from.a.newer.proxy"));
  }

  @Test
  void checkRequestsAndResponsesRoundTrip() {
    AttributeVocabulary v = vocabulary();
    CheckRequest request = new CheckRequest(AttributeBag.builder(v).put("a.string", "x").build(),
        Map.of("q", new QuotaArgs(3, "dedup", true)));
    CheckRequest back = MixerWireCodec.decode(MixerWireCodec.encode(request), v);
    assertEquals(request.quotas(), back.quotas());
    assertEquals(request.attributes().toMap(), back.attributes().toMap());
    CheckResponse response = new CheckResponse(new CheckResult(7, "h:no", Duration.ofSeconds(5), 9),
        new ReferencedAttributes(Set.of("a.string"), Map.of("a.string_map", Set.of("k"))),
        List.of(new HeaderOperation("x", List.of("1", "2"), HeaderOperation.Operation.APPEND)),
        List.of(new HeaderOperation("y", List.of(), HeaderOperation.Operation.REMOVE)),
        Map.of("q", new QuotaResult(2, Duration.ofSeconds(1))));
    assertEquals(response, MixerWireCodec.decode(MixerWireCodec.encode(response)));
  }
}
