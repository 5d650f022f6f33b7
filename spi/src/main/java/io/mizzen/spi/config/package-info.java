/**
 * Istio's resource model as Mizzen reads it, and the {@link io.mizzen.spi.config.ConfigSource}
 * extension point that feeds resources to the control plane's validated store.
 */
package io.mizzen.spi.config;
