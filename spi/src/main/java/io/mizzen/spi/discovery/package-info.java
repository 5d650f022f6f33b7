/** Service discovery: where service instances come from ({@link io.mizzen.spi.discovery.ServiceRegistry}). */
package io.mizzen.spi.discovery;
