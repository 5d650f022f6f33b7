/**
 * Peer and request authentication and authorization for the inbound of the workload a sidecar
 * stands beside. The engines are pure logic over a {@link io.mizzen.proxy.authz.RequestView}
 * (AuthorizationPolicy, the rbac.istio.io kinds, RequestAuthentication JWTs; the PeerAuthentication
 * / MeshPolicy / Policy mode is resolved by spi's
 * {@link io.mizzen.spi.config.security.PeerAuthenticationModes}, which the control plane's
 * {@code mizzen describe} shares); {@link io.mizzen.proxy.authz.InboundSecurity} compiles them once per
 * snapshot for that workload and enforces them: the mode on each new inbound connection, the rest
 * as the first filter of the inbound chain, with the peer principal the TLS session proved. A
 * gateway is a workload too: RequestAuthentication and AuthorizationPolicy selecting it apply on
 * its gateway listeners, with the principal of an ISTIO_MUTUAL server's mesh client.
 */
package io.mizzen.proxy.authz;
