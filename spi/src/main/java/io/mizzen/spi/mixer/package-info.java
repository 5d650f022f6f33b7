/**
 * Mixer's contracts: the attribute vocabulary, the {@link io.mizzen.spi.mixer.MixerAdapter}
 * extension point adapters implement, and the {@link io.mizzen.spi.mixer.Mixer} interface the
 * proxy calls (remote client or embedded engine).
 */
package io.mizzen.spi.mixer;
