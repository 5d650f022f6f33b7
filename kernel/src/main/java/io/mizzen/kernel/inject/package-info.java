/**
 * Sidecar injection for Kubernetes: {@code mizzen kube-inject} rewrites the pod templates of
 * workloads in a multi-document manifest so that each pod runs the Mizzen sidecar, an init
 * container that sets up transparent capture, and the identity volumes, from an overridable
 * template. The same {@link io.mizzen.kernel.inject.SidecarInjector} is what an admission
 * webhook would apply to a single pod.
 */
package io.mizzen.kernel.inject;
