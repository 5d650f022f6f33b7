/**
 * Transparent capture: recovering where a connection that iptables redirected into the sidecar
 * (outbound to 15001, inbound to 15006) was originally going. Istio's Envoy asks the kernel with
 * {@code getsockopt(SO_ORIGINAL_DST)}; Java cannot, and Netty's epoll transport exposes only
 * {@code IP_TRANSPARENT} (for TPROXY), so Mizzen reads the same answer from the connection
 * tracking table the REDIRECT target writes ({@code /proc/net/nf_conntrack}, per network
 * namespace). Where that table is unavailable the listeners fall back to the Host header
 * (outbound) and the configured app port (inbound).
 */
package io.mizzen.proxy.capture;
