/**
 * Transparent capture end to end on this machine's kernel: pods as network namespaces joined by
 * veth pairs to a bridge, {@code mizzen iptables} in each pod as the init container would run it,
 * and the distribution's control plane and sidecars inside them. Skipped, with the reason, where
 * the machine cannot create namespaces or nat rules.
 */
package io.mizzen.it.netns;
