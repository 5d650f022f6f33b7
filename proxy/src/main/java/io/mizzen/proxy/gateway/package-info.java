/**
 * Gateway listeners: the servers of the Gateways selecting an ingress or egress proxy, grouped
 * by port ({@link io.mizzen.proxy.gateway.GatewayPort}), their TLS (SIMPLE, MUTUAL, PASSTHROUGH,
 * chosen by SNI when several servers share a port) and the handler that picks a server from a
 * ClientHello ({@link io.mizzen.proxy.gateway.SniRouter}).
 */
package io.mizzen.proxy.gateway;
