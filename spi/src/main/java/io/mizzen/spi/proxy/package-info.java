/**
 * What the host hands the data plane: a versioned snapshot of the config resources and service
 * instances the proxy routes by. Kept tiny on purpose so that kernel and proxy meet only here.
 */
package io.mizzen.spi.proxy;
