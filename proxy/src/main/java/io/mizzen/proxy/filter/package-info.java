/**
 * The per-request filter chain in the interceptor shape: each filter sees the request on the way
 * in and the response on the way out, and stops the chain by answering itself. Filters run
 * synchronously on the event loop unless they have something to wait for; per-request state
 * lives in a typed {@link io.mizzen.proxy.filter.RequestContext}.
 */
package io.mizzen.proxy.filter;
