package io.mizzen.kernel.demo;

import java.util.List;

/** The Istio Bookinfo sample files bundled with the demo (copied unchanged; see bookinfo/NOTICE). */
final class DemoSamples {
  private DemoSamples() {}

  static final List<String> ALL = List.of(
      "networking/bookinfo-gateway.yaml",
      "networking/destination-rule-all.yaml",
      "networking/destination-rule-all-mtls.yaml",
      "networking/virtual-service-all-v1.yaml",
      "networking/virtual-service-reviews-test-v2.yaml",
      "networking/virtual-service-reviews-50-v3.yaml",
      "networking/virtual-service-reviews-80-20.yaml",
      "networking/virtual-service-reviews-90-10.yaml",
      "networking/virtual-service-reviews-v3.yaml",
      "networking/virtual-service-reviews-v2-v3.yaml",
      "networking/virtual-service-reviews-jason-v2-v3.yaml",
      "networking/virtual-service-ratings-test-delay.yaml",
      "networking/virtual-service-ratings-test-abort.yaml",
      "networking/fault-injection-details-v1.yaml",
      "policy/mixer-rule-deny-label.yaml",
      "policy/mixer-rule-productpage-ratelimit.yaml",
      "policy/mixer-rule-ratings-denial.yaml",
      "policy/mixer-rule-deny-serviceaccount.yaml",
      "policy/mixer-rule-deny-whitelist.yaml",
      "telemetry/metrics.yaml",
      "telemetry/log-entry.yaml");
}
