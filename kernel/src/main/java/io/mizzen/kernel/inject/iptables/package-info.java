/**
 * Transparent capture: {@code mizzen iptables}, the init container's command, builds and installs
 * the nat-table rules Istio's istio-iptables does, so that a pod's outbound TCP goes to the
 * sidecar's 15001 and inbound TCP to its 15006, with the proxy's own traffic (uid/gid 1337)
 * left alone.
 */
package io.mizzen.kernel.inject.iptables;
