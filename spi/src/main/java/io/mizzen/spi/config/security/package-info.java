/**
 * Typed records of Istio's security APIs: {@code security.istio.io/v1beta1} (PeerAuthentication,
 * AuthorizationPolicy, RequestAuthentication), the Istio 1.4 {@code authentication.istio.io/v1alpha1}
 * Policy and MeshPolicy, and {@code rbac.istio.io/v1alpha1} (ServiceRole, ServiceRoleBinding,
 * ClusterRbacConfig). Bound strictly through {@link io.mizzen.spi.config.security.SecurityModel}.
 */
package io.mizzen.spi.config.security;
