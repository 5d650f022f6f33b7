/**
 * What the host hands the data plane: a versioned snapshot of the config resources and service
 * instances the proxy routes by, the workload it stands beside ({@code WorkloadInfo}) and where
 * its control plane is ({@code ControlPlaneAddress}). Kept tiny on purpose so that kernel and
 * proxy meet only here.
 */
package io.mizzen.spi.proxy;
