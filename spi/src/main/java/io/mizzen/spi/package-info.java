/**
 * Mizzen's stable contracts: the extension points a plugin implements, the context the kernel
 * hands it, and the value records that travel between them.
 *
 * <p>This is the only API third-party plugins compile against. No Hazelcast, BouncyCastle,
 * OpenTelemetry-SDK or PF4J-manager type may appear in a signature here; Vert.x {@code Future}
 * and PF4J's marker {@code ExtensionPoint} are the only outside types. The SPI carries a semantic
 * version ({@link io.mizzen.spi.SpiVersion}) that plugins name in their {@code Plugin-Requires}.
 */
package io.mizzen.spi;
