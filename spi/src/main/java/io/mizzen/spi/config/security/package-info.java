/**
 * Typed records of Istio's security APIs: {@code security.istio.io/v1beta1} (PeerAuthentication,
 * AuthorizationPolicy, RequestAuthentication), the Istio 1.4 {@code authentication.istio.io/v1alpha1}
 * Policy and MeshPolicy, and {@code rbac.istio.io/v1alpha1} (ServiceRole, ServiceRoleBinding,
 * ClusterRbacConfig). Bound strictly through {@link io.mizzen.spi.config.security.SecurityModel}.
 *
 * <p>{@link io.mizzen.spi.config.security.PeerAuthenticationModes} resolves the effective inbound
 * mutual-TLS mode of a workload's port, and the resource that decided it, from those records: the
 * proxy enforces it, the control plane shows it ({@code mizzen describe}), both from this one place.
 */
package io.mizzen.spi.config.security;
