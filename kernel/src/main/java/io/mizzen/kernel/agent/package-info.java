/**
 * The sidecar (and gateway) agent: reads its workload, subscribes to Pilot's push and hands the
 * proxy each snapshot through a published {@link io.mizzen.spi.proxy.SnapshotFeed}, keeping the
 * last good one while the control plane is away, and self-registers the workload under a lease.
 * ({@code agent.identity}, the workload's certificates, is Citadel's.)
 */
package io.mizzen.kernel.agent;
