package io.mizzen.kernel.agent.identity;

import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** {@link WorkloadCertificates} as the agent keeps them: the latest credentials and who to tell. */
final class LiveCertificates implements WorkloadCertificates {
  private final List<Consumer<WorkloadCredentials>> listeners = new CopyOnWriteArrayList<>();
  private volatile WorkloadCredentials current;

  @Override
  public WorkloadCredentials current() {
    return current;
  }

  @Override
  public void onRenewal(Consumer<WorkloadCredentials> listener) {
    listeners.add(listener);
  }

  void install(WorkloadCredentials credentials) {
    current = credentials;
    for (Consumer<WorkloadCredentials> listener : listeners) {
      listener.accept(credentials);
    }
  }
}
