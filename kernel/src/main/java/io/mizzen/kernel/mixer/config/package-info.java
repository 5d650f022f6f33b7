/**
 * Compiles Istio's {@code config.istio.io/v1alpha2} resources (handler / instance / rule, the
 * legacy per-adapter and per-template kinds, attributemanifest, QuotaSpec, QuotaSpecBinding) into
 * one immutable {@link io.mizzen.kernel.mixer.config.MixerConfig} per config version: expressions
 * compiled and type checked, references resolved as Mixer resolved them, every problem reported
 * with the resource and the field. Instances' map fields that read the same expressions share one
 * compiled map, which a report batch's {@link io.mizzen.kernel.mixer.config.EvaluationMemo}
 * evaluates once for the bags that agree on what it reads (as it keeps rule matches and whole
 * instances), comparing each bag with the previous one once.
 */
package io.mizzen.kernel.mixer.config;
