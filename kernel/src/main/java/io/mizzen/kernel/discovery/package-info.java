/**
 * Service discovery on the control plane: every {@link io.mizzen.spi.discovery.ServiceRegistry}
 * extension, the sidecars' self-registrations (leases) and ServiceEntry endpoints merged into one
 * {@link io.mizzen.kernel.discovery.MeshDiscovery} view, which Pilot pushes and analysis reads.
 */
package io.mizzen.kernel.discovery;
