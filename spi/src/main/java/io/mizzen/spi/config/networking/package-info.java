/**
 * Typed records of Istio's networking API ({@code networking.istio.io} v1alpha3, v1beta1, v1):
 * VirtualService, DestinationRule, Gateway, ServiceEntry and Sidecar, field for field with
 * Istio 1.4 plus the later fields Mizzen also serves ({@code directResponse}, {@code
 * mirrorPercentage}, ...). Field names are Istio's JSON names; absent lists and maps are empty,
 * other absent fields {@code null}. Durations are {@link java.time.Duration}s. Build them with
 * {@link io.mizzen.spi.config.networking.NetworkingModel}, which binds strictly and reports every
 * error with its field path; the semantic checks (weights summing to 100, regex syntax, ranges)
 * are the control plane's validation.
 */
package io.mizzen.spi.config.networking;
