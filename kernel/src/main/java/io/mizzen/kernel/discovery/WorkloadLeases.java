package io.mizzen.kernel.discovery;

import io.mizzen.spi.discovery.RegistrySink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The self-registrations of sidecars, each under a lease its agent renews. Held in Vert.x shared
 * data: a cluster-wide map when the control plane is clustered (any replica serves a lease and
 * sees the others'), a local map otherwise. Leases not renewed expire with the map entry's TTL;
 * each replica re-reads the map at a short interval and reports it as discovery source
 * {@code self}.
 */
public interface WorkloadLeases {

  /** The shortest and longest leases granted, whatever the agent asks. */
  Duration MIN_LEASE = Duration.ofMillis(200);
  Duration MAX_LEASE = Duration.ofMinutes(5);

  /**
   * Opens the lease map and starts re-reading it every {@code sweep}.
   *
   * @return a Future completed after the first read was reported to {@code sink}, or failed when
   *     the shared map cannot be had (the cluster is unreachable)
   */
  static Future<WorkloadLeases> open(Vertx vertx, RegistrySink sink, Duration sweep) {
    return SharedDataLeases.open(vertx, sink, sweep);
  }

  /**
   * Registers or renews {@code registration} for {@code ttl} (clamped to the limits above).
   *
   * @return a Future completed with the lease granted once it is stored and reported, failed
   *     when the registration is invalid (message names the field) or the map cannot be written
   */
  Future<Duration> register(WorkloadRegistration registration, Duration ttl);

  /**
   * Removes a registration at once.
   *
   * @return a Future completed with whether there was one, once the removal is reported
   */
  Future<Boolean> deregister(String id);

  /** Stops re-reading. @return a completed Future */
  Future<Void> close();
}
