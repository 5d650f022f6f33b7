/**
 * Compiles Istio's {@code config.istio.io/v1alpha2} resources (handler / instance / rule, the
 * legacy per-adapter and per-template kinds, attributemanifest, QuotaSpec, QuotaSpecBinding) into
 * one immutable {@link io.mizzen.kernel.mixer.config.MixerConfig} per config version: expressions
 * compiled and type checked, references resolved as Mixer resolved them, every problem reported
 * with the resource and the field.
 */
package io.mizzen.kernel.mixer.config;
