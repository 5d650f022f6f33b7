/** A standalone proxy for {@code ops/bench/proxy.sh}: one sidecar routing through a VirtualService and a DestinationRule. */
package io.mizzen.proxy.bench;
