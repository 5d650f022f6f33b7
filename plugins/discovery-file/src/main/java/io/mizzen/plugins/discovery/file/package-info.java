/** A {@link io.mizzen.spi.discovery.ServiceRegistry} that reads workloads from a YAML file. */
package io.mizzen.plugins.discovery.file;
