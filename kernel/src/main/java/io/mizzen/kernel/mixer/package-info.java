/**
 * Mixer, the policy and telemetry engine: the attribute manifest, and the engine that serves
 * Check, Quota and Report in-process (see the subpackages for the expression language, config
 * compilation and runtime dispatch).
 */
package io.mizzen.kernel.mixer;
