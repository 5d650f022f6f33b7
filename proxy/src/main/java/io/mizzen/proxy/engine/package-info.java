/**
 * The forwarding engine: a Netty pipeline on Vert.x's own event loops. Each client connection's
 * event loop owns its whole exchange and takes upstream connections from its own pool, so no
 * lock is on the byte path; HTTP objects are forwarded without aggregation, bodies never copied.
 * HTTP/2 upstreams ({@code H2Upstreams}) give each exchange a stream channel carrying the same
 * HTTP objects, so one {@code UpstreamLeg} drives both protocols.
 */
package io.mizzen.proxy.engine;
