/**
 * The agent's half of probe rewriting: kube-inject points the kubelet's HTTP probes at
 * {@code :15021/app-health/<container>/livez|readyz|startupz}; {@link
 * io.mizzen.kernel.inject.probe.AppHealthProbes} answers those by probing the app locally, from
 * the original probes that injection left in {@code ISTIO_KUBE_APP_PROBERS}.
 */
package io.mizzen.kernel.inject.probe;
