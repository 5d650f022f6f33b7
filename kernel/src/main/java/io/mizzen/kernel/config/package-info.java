/**
 * Pilot's config path: the loader that reads Istio YAML unchanged (every document and field with
 * its line), the two validation steps Istio has ({@code validate}, one resource at a time, and
 * {@code analyze}, across resources), the one validated {@link io.mizzen.kernel.config.ConfigStore},
 * and the {@code mizzen validate} and {@code mizzen analyze} commands.
 */
package io.mizzen.kernel.config;
