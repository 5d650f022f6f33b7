/**
 * Policy in the filter chain: Mixer's Check before an inbound request reaches the app, and its
 * Report once the response is on its way, as Istio 1.4's sidecars did ({@code MixerHook}); the
 * attributes of each request and response are built by {@code HttpAttributes}, once per
 * vocabulary worked out where each sits and per request only as far as Mixer's config reads;
 * {@code SidecarMixer} chooses the Mixer (embedded or remote, behind the check cache) and applies
 * the workload's fail-open or fail-closed policy when it cannot answer.
 */
package io.mizzen.proxy.policy;
