package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mixer sees what the mutual TLS handshake proved: {@code connection.mtls} and the caller's
 * {@code source.principal} from its certificate, which outranks any header a caller sends.
 */
class MixerMutualTlsAttributesTest {
  private Sidecars mesh;
  private final BlockingQueue<AttributeBag> checks = new LinkedBlockingQueue<>();

  /** Allows everything and keeps what each Check carried. */
  private final class RecordingMixer implements Mixer {
    final AttributeVocabulary vocabulary = AttributeVocabulary.of(Map.of(
        "connection.mtls", ValueType.BOOL, "source.principal", ValueType.STRING, "source.user", ValueType.STRING));

    @Override
    public AttributeVocabulary vocabulary() {
      return vocabulary;
    }

    @Override
    public Future<CheckResponse> check(CheckRequest request) {
      checks.add(request.attributes());
      return Future.succeededFuture(new CheckResponse(CheckResult.ok(Duration.ZERO, 0), ReferencedAttributes.none(),
          List.of(), List.of(), Map.of()));
    }

    @Override
    public Future<Void> report(List<AttributeBag> batch) {
      return Future.succeededFuture();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    mesh = new Sidecars();
    WorkloadInfo reviews = new WorkloadInfo("reviews", "default", Map.of("app", "reviews", "version", "v1"),
        "bookinfo-reviews", "127.0.0.1", 9080);
    MixerHook hook = new MixerHook(mesh.vertx, reviews, Sidecars.TRUST_DOMAIN);
    hook.use(new RecordingMixer());
    mesh.start("reviews", mesh.mesh.workload("bookinfo-reviews"), List.of(hook));
    mesh.start("productpage");
    mesh.apply(List.of());
  }

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  private AttributeBag nextCheck() throws InterruptedException {
    AttributeBag bag = checks.poll(20, TimeUnit.SECONDS);
    assertNotNull(bag, "no Check reached Mixer within 20 s");
    return bag;
  }

  @Test
  void mutualTlsCallerIsProvenAndAPlainTextClaimIsNot() throws Exception {
    String[] viaMesh = mesh.call("productpage", "reviews", "GET",
        Map.of("x-mizzen-peer", "ratings-v1;ratings;v1;default;cluster.local/ns/default/sa/bookinfo-ratings"));
    assertEquals("200", viaMesh[0], viaMesh[1]);
    AttributeBag proven = nextCheck();
    assertEquals(Boolean.TRUE, proven.get("connection.mtls"));
    assertEquals("cluster.local/ns/default/sa/bookinfo-productpage", proven.get("source.principal"),
        "the certificate's identity, not the header's");
    assertEquals("cluster.local/ns/default/sa/bookinfo-productpage", proven.get("source.user"));

    String[] plain = mesh.request(mesh.sidecars.get("reviews").proxy().inboundPort(), "reviews", "GET", Map.of());
    assertEquals("200", plain[0], "PERMISSIVE takes plain text: " + plain[1]);
    assertEquals(Boolean.FALSE, nextCheck().get("connection.mtls"));
  }
}
