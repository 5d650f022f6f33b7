/**
 * Pilot's push: the gRPC service (on the control plane's server, 15010) that sends each subscribed
 * proxy versioned, scoped, debounced deltas of config and discovery, tracks what each proxy has
 * acknowledged (for {@code proxy-status}), and takes the sidecars' lease registrations. Also the
 * control plane's HTTP API ({@code ControlPlaneApi}, 15014) and the operator commands that talk to
 * it ({@code apply}, {@code delete}, {@code get}, {@code proxy-status}, {@code proxy-config},
 * {@code describe}: {@code WorkloadDescription} resolves a workload's mTLS mode per port with spi's
 * {@code PeerAuthenticationModes}, the resolution the proxy enforces).
 */
package io.mizzen.kernel.pilot;
