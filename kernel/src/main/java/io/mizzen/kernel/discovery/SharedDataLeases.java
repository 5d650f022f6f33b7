package io.mizzen.kernel.discovery;

import io.mizzen.spi.discovery.RegistrySink;
import io.mizzen.spi.discovery.ServiceInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** {@link WorkloadLeases} on {@code vertx.sharedData().getAsyncMap}, whose TTL does the expiry. */
final class SharedDataLeases implements WorkloadLeases {
  private static final System.Logger LOG = System.getLogger(SharedDataLeases.class.getName());
  static final String MAP_NAME = "mizzen.pilot.registrations";

  private final Vertx vertx;
  private final AsyncMap<String, String> map;
  private final RegistrySink sink;
  private final long timer;
  /** Whether the last re-read failed: a lost cluster is logged when lost and when back, not every sweep. */
  private boolean failing;

  private SharedDataLeases(Vertx vertx, AsyncMap<String, String> map, RegistrySink sink, Duration sweep) {
    this.vertx = vertx;
    this.map = map;
    this.sink = sink;
    this.timer = vertx.setPeriodic(Math.max(50, sweep.toMillis()), id -> refresh().onComplete(ar -> {
      if (ar.failed() && !failing) {
        LOG.log(System.Logger.Level.WARNING, "cannot read the registrations (the last ones read stay in force "
            + "until the map answers again): " + ar.cause().getMessage());
      } else if (ar.succeeded() && failing) {
        LOG.log(System.Logger.Level.INFO, "the registrations can be read again");
      }
      failing = ar.failed();
    }));
  }

  static Future<WorkloadLeases> open(Vertx vertx, RegistrySink sink, Duration sweep) {
    // getAsyncMap is cluster-wide when Vert.x is clustered and local otherwise.
    return vertx.sharedData().<String, String>getAsyncMap(MAP_NAME)
        .compose(map -> {
          SharedDataLeases leases = new SharedDataLeases(vertx, map, sink, sweep);
          return leases.refresh().map(v -> (WorkloadLeases) leases);
        });
  }

  private Future<Void> refresh() {
    return map.entries().map(entries -> {
      List<ServiceInstance> instances = entries.values().stream()
          .map(WorkloadRegistration::fromJson)
          .sorted(Comparator.comparing(WorkloadRegistration::id))
          .map(WorkloadRegistration::toInstance)
          .toList();
      sink.replaceAll(instances);
      return null;
    });
  }

  @Override
  public Future<Duration> register(WorkloadRegistration r, Duration ttl) {
    String problem = problemOf(r);
    if (problem != null) {
      return Future.failedFuture(new IllegalArgumentException("registration '" + r.id() + "': " + problem));
    }
    long millis = Math.max(MIN_LEASE.toMillis(), Math.min(MAX_LEASE.toMillis(),
        ttl == null || ttl.isZero() ? Duration.ofSeconds(10).toMillis() : ttl.toMillis()));
    return map.put(r.id(), r.toJson(), millis).compose(v -> refresh()).map(v -> Duration.ofMillis(millis));
  }

  private static String problemOf(WorkloadRegistration r) {
    if (r.id() == null || r.id().isBlank()) {
      return "id: must not be empty";
    }
    if (r.service() == null || r.service().isBlank()) {
      return "service: must not be empty";
    }
    if (r.address() == null || r.address().isBlank()) {
      return "address: must not be empty";
    }
    return null;
  }

  @Override
  public Future<Boolean> deregister(String id) {
    return map.remove(id).compose(previous -> refresh().map(v -> previous != null));
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
