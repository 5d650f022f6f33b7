/**
 * The prometheus adapter: metric instances kept as counters, gauges and histograms under
 * Istio's names and labels, served in Prometheus' text format on {@code /metrics}.
 */
package io.mizzen.plugins.prometheus;
