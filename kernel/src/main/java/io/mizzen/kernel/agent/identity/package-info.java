/**
 * The sidecar agent's identity: a key made locally that never leaves the workload
 * ({@link io.mizzen.kernel.agent.identity.WorkloadKeys}), the CSR that asks for the workload's
 * SPIFFE ID, and the renewal of its certificate at half its lifetime with jitter
 * ({@link io.mizzen.kernel.agent.identity.RotationSchedule}), on Vert.x timers.
 */
package io.mizzen.kernel.agent.identity;
