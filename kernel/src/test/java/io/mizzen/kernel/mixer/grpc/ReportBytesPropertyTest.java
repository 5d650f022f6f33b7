package io.mizzen.kernel.mixer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.mixer.remote.MixerWireCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Mixer's server reads every Report batch straight from the bytes a proxy sent: whatever arrives,
 * the reader gives bags or refuses the batch with an {@link IllegalArgumentException} (which the
 * server answers INVALID_ARGUMENT), never another exception; and what a proxy writes it reads back
 * as written.
 */
class ReportBytesPropertyTest {
  private static final AttributeVocabulary VOCABULARY;

  static {
    Map<String, ValueType> types = new LinkedHashMap<>();
    types.put("request.path", ValueType.STRING);
    types.put("response.code", ValueType.INT64);
    types.put("request.size", ValueType.DOUBLE);
    types.put("connection.mtls", ValueType.BOOL);
    types.put("request.time", ValueType.TIMESTAMP);
    types.put("response.duration", ValueType.DURATION);
    types.put("source.ip", ValueType.IP_ADDRESS);
    types.put("request.headers", ValueType.STRING_MAP);
    VOCABULARY = AttributeVocabulary.of(types);
  }

  @Property(tries = 3000)
  void arbitraryBytesGiveBagsOrAnIllegalArgument(@ForAll @Size(max = 200) byte[] bytes) {
    read(bytes);
  }

  @Property(tries = 3000)
  void aWrittenBatchWithBytesChangedGivesBagsOrAnIllegalArgument(@ForAll("batches") List<AttributeBag> batch,
      @ForAll @IntRange(min = 0, max = 10_000) int at, @ForAll byte value, @ForAll boolean cut) {
    byte[] bytes = MixerWireCodec.encodeBatchBytes(batch);
    if (bytes.length == 0) {
      return;
    }
    int i = at % bytes.length;
    if (cut) {
      bytes = java.util.Arrays.copyOf(bytes, i);
    } else {
      bytes[i] = value;
    }
    read(bytes);
  }

  @Property(tries = 1000)
  void aWrittenBatchReadsBackAsWritten(@ForAll("batches") List<AttributeBag> batch) {
    List<AttributeBag> read = MixerWireCodec.decodeBatch(MixerWireCodec.encodeBatchBytes(batch), VOCABULARY);
    assertEquals(batch.size(), read.size());
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(batch.get(i).toMap(), read.get(i).toMap(), "set " + i);
    }
  }

  @Provide
  Arbitrary<List<AttributeBag>> batches() {
    Arbitrary<String> text = Arbitraries.strings().withChars("ab/é-x").ofMaxLength(4);
    Arbitrary<Map<String, String>> headers = Arbitraries.maps(text, text).ofMaxSize(3);
    Arbitrary<AttributeBag> bag = net.jqwik.api.Combinators.combine(
        text.injectNull(0.3), Arbitraries.longs().between(-1, 600).injectNull(0.3),
        Arbitraries.integers().between(0, 2), headers.injectNull(0.3), Arbitraries.longs().between(-2_000_000_000L, 2_000_000_000L))
        .as((path, code, other, h, nanos) -> {
          AttributeBag.Builder b = AttributeBag.builder(VOCABULARY);
          b.put("request.path", path).put("response.code", code).put("request.headers", h);
          if (other == 1) {
            b.put("request.time", Instant.ofEpochSecond(0, nanos)).put("response.duration", Duration.ofNanos(nanos))
                .put("connection.mtls", nanos % 2 == 0).put("request.size", nanos / 3.0);
          } else if (other == 2) {
            b.put("source.ip", AttributeValues.ipAddress(nanos % 2 == 0 ? "10.0.0.1" : "fd00::1"));
          }
          return b.build();
        });
    return bag.list().ofMaxSize(6).map(ArrayList::new);
  }

  private static void read(byte[] bytes) {
    try {
      List<AttributeBag> bags = MixerWireCodec.decodeBatch(bytes, VOCABULARY);
      bags.forEach(b -> assertNotNull(b.toMap()));
    } catch (IllegalArgumentException refused) {
      assertNotNull(refused.getMessage());
    }
  }
}
