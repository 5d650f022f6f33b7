/**
 * The few Kubernetes core kinds Mizzen reads from Istio-style YAML: a {@code Service} gives
 * discovery its name, namespace, ports and selector.
 */
package io.mizzen.spi.config.kube;
