/**
 * {@code mizzen demo}: Bookinfo on loopback. Tiny built-in Bookinfo services (productpage,
 * details, reviews v1/v2/v3, ratings), each behind its own sidecar, an ingress gateway, and a
 * control plane fed with the Istio tutorial's own files.
 */
package io.mizzen.kernel.demo;
