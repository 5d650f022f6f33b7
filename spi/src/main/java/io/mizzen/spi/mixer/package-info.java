/**
 * Mixer's contracts: the attribute vocabulary and the immutable {@link
 * io.mizzen.spi.mixer.AttributeBag} every request becomes (a sidecar builds its bags through an
 * {@link io.mizzen.spi.mixer.AttributeLayout}: its workload's attributes shared, each request's
 * own in a small array; a remote batch is written and read the same way); the {@link
 * io.mizzen.spi.mixer.MixerAdapter} extension point adapters implement (with {@link
 * io.mizzen.spi.mixer.AdapterParams} for their params and {@link
 * io.mizzen.spi.mixer.QuotaCounterStore} for shared quota counters); and what the proxy uses
 * without importing the kernel: the {@link io.mizzen.spi.mixer.Mixer} interface (embedded engine
 * or {@link io.mizzen.spi.mixer.remote.RemoteMixer}; it says what its config reads, so the proxy
 * builds its bags no further), the {@link io.mizzen.spi.mixer.CheckCache} (in front of either,
 * following the config version),
 * the {@link io.mizzen.spi.mixer.ReportBatcher} (filling each Mixer's own {@link
 * io.mizzen.spi.mixer.ReportBatch}) and {@link io.mizzen.spi.mixer.HttpDenial}.
 */
package io.mizzen.spi.mixer;
