/**
 * The forwarding engine: a Netty pipeline on Vert.x's own event loops. Each client connection's
 * event loop owns its whole exchange and takes upstream connections from its own pool, so no
 * lock is on the byte path; HTTP objects are forwarded without aggregation, bodies never copied.
 */
package io.mizzen.proxy.engine;
