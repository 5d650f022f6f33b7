/**
 * Quota counters shared by the control plane's replicas: the {@code QuotaCounterStore} the kernel
 * publishes when its Vert.x is clustered, so memquota enforces one limit across members.
 */
package io.mizzen.kernel.mixer.quota;
