package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Oneof;
import io.mizzen.spi.config.bind.Required;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a cluster picks an endpoint: a simple policy or a consistent hash.
 *
 * @param simple a simple policy
 * @param consistentHash a consistent-hash policy (sticky sessions)
 * @param localityLbSetting locality-weighted balancing and failover
 */
@Oneof({"simple", "consistentHash"})
public record LoadBalancerSettings(Simple simple, ConsistentHash consistentHash, LocalityLbSetting localityLbSetting) {

  /** Istio's simple policies. */
  public enum Simple { ROUND_ROBIN, LEAST_CONN, RANDOM, PASSTHROUGH }

  /**
   * Consistent hashing on one property of the request.
   *
   * @param httpHeaderName hash on this header
   * @param httpCookie hash on this cookie, generated when absent
   * @param useSourceIp hash on the source IP
   * @param httpQueryParameterName hash on this query parameter (later Istio)
   * @param minimumRingSize the ring size, 1024 when unset
   */
  @Oneof(value = {"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"}, required = true)
  public record ConsistentHash(
      String httpHeaderName, HttpCookie httpCookie, Boolean useSourceIp, String httpQueryParameterName,
      Long minimumRingSize) {}

  /**
   * The cookie to hash on.
   *
   * @param name the cookie's name
   * @param path its path
   * @param ttl its lifetime; a cookie is generated with it when the request has none
   */
  public record HttpCookie(@Required String name, String path, @Required Duration ttl) {}

  /**
   * Locality-aware balancing.
   *
   * @param distribute explicit traffic shares per locality
   * @param failover where to fail over from one region to another
   * @param enabled whether locality balancing is on
   */
  public record LocalityLbSetting(List<Distribute> distribute, List<Failover> failover, Boolean enabled) {
    /** @param from the origin locality @param to shares per destination locality, summing to 100 */
    public record Distribute(String from, Map<String, Integer> to) {}

    /** @param from the origin region @param to the region to fail over to */
    public record Failover(String from, String to) {}
  }
}
