/**
 * The memquota adapter: rate-limit quotas with fixed or rolling windows and dimension overrides,
 * counted in a {@link io.mizzen.spi.mixer.QuotaCounterStore} (in memory unless the host publishes
 * a shared one).
 */
package io.mizzen.plugins.memquota;
