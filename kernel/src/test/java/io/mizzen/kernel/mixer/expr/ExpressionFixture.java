package io.mizzen.kernel.mixer.expr;

import io.mizzen.kernel.mixer.AttributeManifest;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Istio's vocabulary and one request's bag, as the expression tests use them. */
final class ExpressionFixture {
  static final AttributeVocabulary VOCABULARY = AttributeManifest.vocabulary(AttributeManifest.builtIn());

  private ExpressionFixture() {}

  static AttributeBag bag() {
    return AttributeBag.builder(VOCABULARY)
        .put("request.path", "/api/v1/books")
        .put("request.method", "GET")
        .put("request.headers", Map.of("x-user", "john", "cookie", "user=jason",
            ":authority", "productpage:9080", "x-forwarded-for", "10.28.11.20"))
        .put("request.size", 1024L)
        .put("response.code", 200L)
        .put("response.duration", Duration.ofMillis(150))
        .put("request.time", Instant.parse("2020-01-02T03:04:05Z"))
        .put("source.ip", AttributeValues.ipAddress("10.57.1.2"))
        .put("source.labels", Map.of("app", "reviews", "version", "v3"))
        .put("destination.labels", Map.of("app", "ratings", "version", "v1"))
        .put("destination.service.host", "ratings.default.svc.cluster.local")
        .put("destination.service.name", "ratings")
        .put("source.principal", "cluster.local/ns/default/sa/bookinfo-reviews")
        .put("connection.mtls", true)
        .put("context.protocol", "http")
        .build();
  }

  /** A value as the table writes it. */
  static String render(Object v) {
    if (v instanceof InetAddress a) {
      return a.getHostAddress();
    }
    if (v instanceof Map<?, ?> m) {
      return new TreeMap<>(m).toString();
    }
    return String.valueOf(v);
  }
}
