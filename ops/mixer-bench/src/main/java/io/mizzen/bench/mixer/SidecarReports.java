package io.mizzen.bench.mixer;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.util.List;
import java.util.Map;

/**
 * The report bags the Report benchmarks feed, shaped as the bench sidecar's: its workload's
 * attributes (ratings v1), the same for every request, and the attributes each request sets.
 */
final class SidecarReports {
  /** The attributes a request's report sets itself, in this order. */
  static final List<String> OWN = List.of("connection.mtls", "destination.port", "source.ip", "request.path",
      "request.url_path", "request.method", "request.host", "request.scheme", "request.useragent", "request.id",
      "request.time", "response.code", "response.time", "response.duration", "response.size");

  private SidecarReports() {
  }

  /** The sidecar's workload attributes over {@code vocabulary}. */
  static AttributeBag workload(AttributeVocabulary vocabulary) {
    return AttributeBag.builder(vocabulary)
        .put("destination.labels", Map.of("app", "ratings", "version", "v1"))
        .put("destination.namespace", "default").put("destination.workload.namespace", "default")
        .put("destination.principal", "cluster.local/ns/default/sa/bookinfo-ratings")
        .put("destination.service.name", "ratings").put("destination.service.namespace", "default")
        .put("destination.service.host", "ratings.default.svc.cluster.local")
        .put("destination.workload.name", "ratings-v1").put("destination.uid", "kubernetes://ratings-v1.default")
        .put("context.protocol", "http").put("context.reporter.kind", "inbound")
        .build();
  }

  /** The layout of the sidecar's bags: {@link #workload} shared, {@link #OWN} set per request. */
  static AttributeLayout layout(AttributeBag workload) {
    AttributeVocabulary vocabulary = workload.vocabulary();
    return AttributeLayout.of(workload, OWN.stream().mapToInt(vocabulary::indexOf).toArray());
  }
}
