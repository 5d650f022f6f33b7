/**
 * Policy in the filter chain: Mixer's Check before an inbound request reaches the app, and its
 * Report once the response is on its way, as Istio 1.4's sidecars did.
 */
package io.mizzen.proxy.policy;
