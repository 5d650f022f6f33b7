/**
 * HTTP/2 from clients: h2c with prior knowledge ({@link io.mizzen.proxy.h2.H2cPreface} tells it
 * from HTTP/1.1 by the connection preface) and h2 chosen by ALPN on Gateway TLS. Each stream
 * becomes a Netty child channel carrying HTTP/1-style objects, so the proxy's one exchange
 * handler serves both protocols ({@link io.mizzen.proxy.h2.Http2Streams}).
 */
package io.mizzen.proxy.h2;
