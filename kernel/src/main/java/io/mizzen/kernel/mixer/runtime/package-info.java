/**
 * The in-process Mixer engine: holds the compiled config version and the handlers built for it,
 * and serves Check (preconditions, quotas, header operations, referenced attributes) and Report
 * by dispatching instances to {@link io.mizzen.spi.mixer.MixerAdapter} handlers, each call under a
 * timeout, failures counted per handler and resolved by the fail-open/fail-closed policy. Each
 * version also knows what it reads of a request's attributes ({@code attributesRead}).
 */
package io.mizzen.kernel.mixer.runtime;
