/**
 * Mixer's contracts: the attribute vocabulary and the immutable {@link
 * io.mizzen.spi.mixer.AttributeBag} every request becomes; the {@link
 * io.mizzen.spi.mixer.MixerAdapter} extension point adapters implement (with {@link
 * io.mizzen.spi.mixer.AdapterParams} for their params and {@link
 * io.mizzen.spi.mixer.QuotaCounterStore} for shared quota counters); and what the proxy uses
 * without importing the kernel: the {@link io.mizzen.spi.mixer.Mixer} interface (embedded engine
 * or {@link io.mizzen.spi.mixer.remote.RemoteMixer}), the {@link io.mizzen.spi.mixer.CheckCache},
 * the {@link io.mizzen.spi.mixer.ReportBatcher} (filling each Mixer's own {@link
 * io.mizzen.spi.mixer.ReportBatch}) and {@link io.mizzen.spi.mixer.HttpDenial}.
 */
package io.mizzen.spi.mixer;
