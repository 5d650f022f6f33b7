/**
 * The route table: compiled once per config snapshot from VirtualServices, DestinationRules and
 * service instances into immutable matchers and actions, and swapped in atomically. Nothing here
 * parses YAML; the typed Istio model comes from {@code io.mizzen.spi.config.networking}.
 */
package io.mizzen.proxy.route;
