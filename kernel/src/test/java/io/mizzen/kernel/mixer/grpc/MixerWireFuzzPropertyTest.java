package io.mizzen.kernel.mixer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.spi.wire.mixer.Attributes;
import io.mizzen.spi.wire.mixer.CheckReply;
import io.mizzen.spi.wire.mixer.CheckRequest;
import io.mizzen.spi.wire.mixer.ReportRequest;
import io.mizzen.spi.wire.mixer.StringMap;
import io.mizzen.spi.wire.mixer.Value;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and damaged gRPC calls to a real Mixer server over h2c: valid Check, Report and
 * Vocabulary messages with bytes flipped, inserted or cut, framed right, with a length prefix
 * longer or shorter than the message, or not framed at all, and calls to
 * a method the service does not have. Every call is answered within seconds with a gRPC status
 * (UNIMPLEMENTED for the unknown method; OK only with a reply that parses); and after each, a
 * well-formed Check is still served with its verdict.
 */
class MixerWireFuzzPropertyTest {
  private static final String SERVICE = "/mizzen.mixer.v1.MixerWire/";
  private static Vertx vertx;
  private static MixerServer server;
  private static HttpClient h2;

  /** @param framed whether the body is one message, framed as gRPC frames it (uncompressed) */
  record Call(String method, byte[] body, boolean framed) {}

  @BeforeContainer
  static void start() throws Exception {
    vertx = Vertx.vertx();
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, Files.createTempDirectory("mixer-fuzz")),
        EngineOptions.defaults(), List.of(new DenierAdapter(), new MemquotaAdapter()));
    await(engine.apply(TestResources.samples("bookinfo/policy/mixer-rule-deny-label.yaml"), 1));
    server = await(MixerServer.start(vertx, engine, "127.0.0.1", 0, 1));
    h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }

  @AfterContainer
  static void stop() {
    await(vertx.close());
  }

  @Example
  void bytesThatDoNotParseOrNoMessageAtAllGetInvalidArgumentSayingSo() {
    // Before: vertx-grpc's decoder reset the stream (CANCEL), and a call with no message waited.
    Answer garbage = send("Check", frame(new byte[] {0, 1, 2}, false));
    assertEquals("3", garbage.grpcStatus, garbage.toString());
    assertTrue(garbage.grpcMessage.contains("CheckRequest does not parse"), garbage.toString());
    Answer empty = send("Vocabulary", new byte[0]);
    assertEquals("3", empty.grpcStatus, empty.toString());
    assertTrue(empty.grpcMessage.contains("without a whole request message"), empty.toString());
    // A frame that says it is longer than the limit: RESOURCE_EXHAUSTED, saying by how much.
    byte[] over = ByteBuffer.allocate(5).put((byte) 0).putInt(MixerServer.MAX_MESSAGE_BYTES + 1).array();
    Answer tooLong = send("Report", over);
    assertEquals("8", tooLong.grpcStatus, tooLong.toString());
    assertTrue(tooLong.grpcMessage.contains((MixerServer.MAX_MESSAGE_BYTES + 1) + " bytes is over the limit of "
        + MixerServer.MAX_MESSAGE_BYTES), tooLong.toString());
  }

  @Property(tries = 300)
  void damagedCallsGetAStatusAndMixerKeepsServing(@ForAll("calls") Call call) {
    Answer a;
    try {
      a = send(call.method(), call.body());
    } catch (AssertionError e) {
      throw new AssertionError(call.method() + " with " + call.body().length + " bytes " + hex(call.body()) + ": " + e.getMessage(), e);
    }
    String shown = call.method() + " with " + call.body().length + " bytes " + hex(call.body()) + " -> " + a;
    if (a.reset) {
      // vertx-grpc resets the stream of a body that ends inside a frame: only bytes that are not
      // one whole frame may get that instead of a status.
      assertTrue(!call.framed(), "a well-framed call was reset: " + shown);
    } else {
      answered(call, a, shown);
    }
    Answer denied = send("Check", frame(check("v3").toByteArray(), false));
    assertEquals("0", denied.grpcStatus, "a well-formed check after " + shown + ": " + denied);
    try {
      CheckReply reply = CheckReply.parseFrom(Arrays.copyOfRange(denied.body, 5, denied.body.length));
      assertEquals(7, reply.getStatusCode(), "reviews v3 is denied (PERMISSION_DENIED) after " + shown);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static void answered(Call call, Answer a, String shown) {
    assertEquals(200, a.httpStatus, "gRPC answers in HTTP 200: " + shown);
    assertNotNull(a.grpcStatus, "no grpc-status: " + shown);
    if (call.method().equals("Nope")) {
      assertEquals("12", a.grpcStatus, "an unknown method is UNIMPLEMENTED: " + shown);
    } else if (a.grpcStatus.equals("0") && call.method().equals("Check")) {
      assertTrue(a.body.length >= 5, shown);
      int length = ByteBuffer.wrap(a.body, 1, 4).getInt();
      assertEquals(a.body.length - 5, length, "one framed reply: " + shown);
      try {
        CheckReply.parseFrom(Arrays.copyOfRange(a.body, 5, a.body.length));
      } catch (Exception e) {
        throw new AssertionError("an OK Check reply that does not parse: " + shown, e);
      }
    } else if (!a.grpcStatus.equals("0") && call.framed()) {
      // Mixer's own refusals say what was wrong; a frame that is not one (a length past the
      // message size limit, a compressed flag with no encoding) is refused by vertx-grpc's
      // framing, which gives a status (RESOURCE_EXHAUSTED, INTERNAL...) and not always a message.
      assertTrue(a.grpcMessage != null && !a.grpcMessage.isBlank(), "an error without a message: " + shown);
    }
  }

  record Answer(int httpStatus, String grpcStatus, String grpcMessage, byte[] body, boolean reset) {
    @Override
    public String toString() {
      return reset ? "stream reset" : "HTTP " + httpStatus + " grpc-status " + grpcStatus + " (" + grpcMessage + "), " + body.length + " body bytes";
    }
  }

  private static Answer send(String method, byte[] body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(server.port())
        .setURI(SERVICE + method).putHeader("content-type", "application/grpc").putHeader("te", "trailers").setTimeout(5_000);
    return await(h2.request(o).compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body().map(b -> {
      MultiMap t = resp.trailers();
      String status = t.get("grpc-status") != null ? t.get("grpc-status") : resp.getHeader("grpc-status");
      String message = t.get("grpc-message") != null ? t.get("grpc-message") : resp.getHeader("grpc-message");
      // grpc-message is percent-encoded on the wire.
      String decoded = message == null ? null : java.net.URLDecoder.decode(message.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
      return new Answer(resp.statusCode(), status, decoded, b.getBytes(), false);
    }))).recover(e -> e instanceof io.vertx.core.http.StreamResetException
        ? Future.succeededFuture(new Answer(0, null, null, new byte[0], true)) : Future.failedFuture(e)));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within 10 s: " + e, e);
    }
  }

  static CheckRequest check(String version) {
    Value labels = Value.newBuilder().setStringMap(StringMap.newBuilder().putEntries("app", "reviews").putEntries("version", version)).build();
    return CheckRequest.newBuilder().setAttributes(Attributes.newBuilder()
        .putValues("source.labels", labels)
        .putValues("destination.labels", Value.newBuilder().setStringMap(StringMap.newBuilder().putEntries("app", "ratings")).build())
        .putValues("destination.namespace", Value.newBuilder().setStringValue("default").build())
        .putValues("response.code", Value.newBuilder().setInt64Value(200).build())).build();
  }

  static byte[] frame(byte[] message, boolean compressed) {
    return ByteBuffer.allocate(5 + message.length).put((byte) (compressed ? 1 : 0)).putInt(message.length).put(message).array();
  }

  private static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 120); i++) {
      b.append(String.format("%02x", bytes[i]));
    }
    return b.toString();
  }

  @Provide
  Arbitrary<Call> calls() {
    Arbitrary<String> method = Arbitraries.of("Check", "Check", "Report", "Report", "Vocabulary", "Nope");
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    return Combinators.combine(method, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 4),
        Arbitraries.doubles().between(0, 1), noise).as((m, framing, damage, at, bytes) -> {
          byte[] message = switch (m) {
            case "Report" -> ReportRequest.newBuilder().addBatch(check("v2").getAttributes()).addBatch(Attributes.newBuilder()
                .addAbsent("response.code").build()).setDeltaEncoded(damage % 2 == 0).build().toByteArray();
            case "Vocabulary" -> new byte[0];
            default -> check(damage % 2 == 0 ? "v3" : "v1").toByteArray();
          };
          int pos = (int) (at * message.length);
          message = switch (damage) {
            case 1 -> { // overwrite with noise
              byte[] copy = message.clone();
              for (int i = 0; i < bytes.length && pos + i < copy.length; i++) {
                copy[pos + i] = bytes[i];
              }
              yield copy;
            }
            case 2 -> Arrays.copyOf(message, pos); // cut short
            case 3 -> { // noise inserted
              byte[] copy = new byte[message.length + bytes.length];
              System.arraycopy(message, 0, copy, 0, pos);
              System.arraycopy(bytes, 0, copy, pos, bytes.length);
              System.arraycopy(message, pos, copy, pos + bytes.length, message.length - pos);
              yield copy;
            }
            case 4 -> bytes; // noise only
            default -> message;
          };
          byte[] body = switch (framing) {
            // Not drawn: a frame flagged compressed on a call with no grpc-encoding. vertx-grpc
            // 5.0.7 throws "UnsupportedOperationException: Handle me" on it before Mixer sees the
            // call, which then waits for the caller's deadline (the server keeps serving others).
            case 1 -> frame(message, false);
            case 2 -> { // the prefix promises more than comes
              byte[] f = frame(message, false);
              ByteBuffer.wrap(f).putInt(1, message.length + 1 + bytes.length);
              yield f;
            }
            case 3 -> { // the prefix promises less: a second, broken message follows
              byte[] f = frame(message, false);
              ByteBuffer.wrap(f).putInt(1, Math.max(0, message.length - 1 - bytes.length % 8));
              yield f;
            }
            case 4 -> message; // no framing at all
            default -> frame(message, false);
          };
          return new Call(m, body, framing <= 1);
        });
  }
}
