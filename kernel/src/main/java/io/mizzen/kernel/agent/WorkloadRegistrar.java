package io.mizzen.kernel.agent;

import io.mizzen.spi.wire.pilot.Deregistration;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.Registration;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Keeps the workload registered: registers at once, renews at a third of the lease granted
 * (retrying at that pace while the control plane is away), deregisters on stop.
 */
final class WorkloadRegistrar {
  private static final System.Logger LOG = System.getLogger(WorkloadRegistrar.class.getName());

  private final Context context;
  private final PilotGrpcClient pilot;
  private final Registration registration;
  private long timer = -1;
  private boolean stopped;
  private volatile boolean registered;

  WorkloadRegistrar(Context context, PilotGrpcClient pilot, Registration registration) {
    this.context = context;
    this.pilot = pilot;
    this.registration = registration;
  }

  void start() {
    context.runOnContext(v -> renew());
  }

  /** Whether the last registration or renewal succeeded. */
  boolean registered() {
    return registered;
  }

  private void renew() {
    if (stopped) {
      return;
    }
    pilot.register(registration).onComplete(ar -> context.runOnContext(v -> {
      long lease = registration.getTtlMillis();
      if (ar.succeeded()) {
        registered = true;
        lease = ar.result().getTtlMillis();
      } else {
        registered = false;
        LOG.log(System.Logger.Level.INFO, "cannot register {0} yet: {1}", registration.getId(), ar.cause().getMessage());
      }
      if (!stopped) {
        timer = context.owner().setTimer(Math.max(50, lease / 3), id -> context.runOnContext(x -> renew()));
      }
    }));
  }

  /**
   * Stops renewing and deregisters.
   *
   * @return a Future completed once deregistered, or once {@code wait} passed; a control plane
   *     that cannot be told lets the lease expire instead
   */
  Future<Void> stop(Duration wait) {
    stopped = true;
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
    }
    return pilot.deregister(Deregistration.newBuilder().setId(registration.getId()).build())
        .timeout(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .onFailure(e -> LOG.log(System.Logger.Level.INFO, "could not deregister {0}; its lease will expire: {1}",
            registration.getId(), e.getMessage()))
        .otherwiseEmpty().mapEmpty();
  }
}
