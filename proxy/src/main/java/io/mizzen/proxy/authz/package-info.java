/**
 * Authorization, pure logic over a {@link io.mizzen.proxy.authz.RequestView}: which
 * AuthorizationPolicy resources select a workload, and whether they allow a request (DENY first,
 * then ALLOW, deny by default once an ALLOW selects the workload). No I/O: the engine hands it the
 * request's peer principal (from {@code proxy.tls.MeshTls.peerPrincipal}) and attributes.
 */
package io.mizzen.proxy.authz;
