/**
 * Mutual TLS between sidecars: Netty {@code SslContext}s built from the workload's certificates
 * ({@code spi.ca.WorkloadCertificates}), swapped on rotation for new connections only, the peer's
 * SPIFFE SAN checked against what a DestinationRule or cluster expects, and the peer certificate
 * turned into {@code source.principal}. The inbound context offers ALPN {@code h2} and
 * {@code http/1.1} (HTTP/1.1 for clients offering neither); client contexts offer {@code h2} only
 * when asked to (HTTP/2 clusters), none otherwise. Also TLS origination to upstreams
 * ({@link io.mizzen.proxy.tls.TlsOrigination}): client contexts from a DestinationRule's SIMPLE or
 * MUTUAL {@code tls} files, each setting with a context offering ALPN {@code http/1.1} and one
 * offering {@code h2} and {@code http/1.1} for HTTP/2 clusters. The engine wires these into its listeners and clusters.
 * Contexts (mesh and gateway) use BoringSSL when netty-tcnative loads, the JDK's provider
 * otherwise ({@link io.mizzen.proxy.tls.TlsProviders}).
 */
package io.mizzen.proxy.tls;
