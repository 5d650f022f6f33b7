/**
 * Pilot's push: the gRPC service (on the control plane's server, 15010) that sends each subscribed
 * proxy versioned, scoped, debounced deltas of config and discovery, tracks what each proxy has
 * acknowledged (for {@code proxy-status}), and takes the sidecars' lease registrations.
 */
package io.mizzen.kernel.pilot;
