/**
 * The forwarding engine: a Netty pipeline on Vert.x's own event loops. Each client connection's
 * event loop owns its whole exchange and takes upstream connections from its own pool, so no
 * lock is on the byte path; HTTP objects are forwarded without aggregation, bodies never copied.
 * HTTP/2 upstreams ({@code H2Upstreams}: h2c, or h2 over mesh mTLS or originated TLS when ALPN
 * picks it, else HTTP/1.1 on that connection) give each exchange a stream channel carrying the
 * same HTTP objects, so one {@code UpstreamLeg} drives both protocols; {@code UpstreamSecurity}
 * says which TLS an upstream connection carries and makes its client handler. Listeners choose
 * h2 or HTTP/1.1 by the first bytes (plain text) or by ALPN (a gateway's TLS, the inbound's mesh
 * mTLS) in {@code ListenerPipelines}; under transparent capture {@code CapturedProtocols} (the
 * outbound) and {@code InboundProtocols} (the inbound, by the app's service port, in plain text or
 * after the mesh's TLS) first tell HTTP from anything else, which becomes a byte relay
 * ({@code tcp.TcpRelay}, starting with the TLS its cluster asks for), as does an HTTP CONNECT on
 * the outbound listener ({@code DownstreamHandler}).
 */
package io.mizzen.proxy.engine;
