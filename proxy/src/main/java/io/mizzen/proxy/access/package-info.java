/** The proxy's access log: one entry per exchange, with Envoy's response flags explaining every local error. */
package io.mizzen.proxy.access;
