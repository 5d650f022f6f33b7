/**
 * Upstream clusters built from DestinationRules and discovery: endpoints with their health,
 * load balancing, connection-pool limits (circuit breaking) and outlier ejection. Shared by the
 * event loops, so every piece of mutable state here is atomic.
 */
package io.mizzen.proxy.cluster;
