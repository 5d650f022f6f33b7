/** The data plane: listeners, routing, load balancing, resilience, TLS and the filter chain. */
package io.mizzen.proxy;
