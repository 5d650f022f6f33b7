/**
 * Mixer benchmarks: JMH for the proxy's cached check, and the load driver ({@link
 * io.mizzen.bench.mixer.MixerLoad}) that ops/bench/mixer.sh runs for the remote figures.
 */
package io.mizzen.bench.mixer;
