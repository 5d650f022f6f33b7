/**
 * The Kubernetes plugin: Services, EndpointSlices and Pods as service instances
 * ({@link io.mizzen.plugins.kubernetes.KubernetesRegistry}), Istio's CRDs as config
 * ({@link io.mizzen.plugins.kubernetes.KubernetesConfigSource}), and service-account JWTs verified
 * by the API server's TokenReview ({@link io.mizzen.plugins.kubernetes.TokenReviewVerifier}). All
 * watch through fabric8 informers (list, watch, resync, reconnect) on the JDK's HTTP client.
 */
package io.mizzen.plugins.kubernetes;
