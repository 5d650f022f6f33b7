package io.mizzen.proxy.route;

import io.mizzen.proxy.cluster.Cluster;

/**
 * One weighted destination of a route.
 *
 * @param cluster the cluster (host, subset and port resolved); {@code null} when it has no
 *     endpoints known to discovery, which answers 503 UH
 * @param clusterName the cluster's name, for logs even when it is missing
 * @param weight the share of traffic, out of the route's total
 * @param requestOps header operations on the request for this destination
 * @param responseOps header operations on the response for this destination
 */
public record Destination(Cluster cluster, String clusterName, int weight, HeaderOps requestOps, HeaderOps responseOps) {}
