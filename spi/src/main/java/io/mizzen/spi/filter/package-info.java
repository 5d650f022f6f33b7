/**
 * Extra proxy filters ({@link io.mizzen.spi.filter.HttpFilter}), run in the proxy's filter chain
 * after the built-in ones. They see headers, not bodies, and answer locally or let the request on.
 */
package io.mizzen.spi.filter;
