package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Stands in for the sidecar agent (in kernel, which the proxy cannot see): certificates the test renews. */
final class HeldCertificates implements WorkloadCertificates {
  private volatile WorkloadCredentials current;
  private final List<Consumer<WorkloadCredentials>> listeners = new CopyOnWriteArrayList<>();

  HeldCertificates(WorkloadCredentials first) {
    current = first;
  }

  void renew(WorkloadCredentials next) {
    current = next;
    listeners.forEach(l -> l.accept(next));
  }

  @Override
  public WorkloadCredentials current() {
    return current;
  }

  @Override
  public void onRenewal(Consumer<WorkloadCredentials> listener) {
    listeners.add(listener);
  }
}
