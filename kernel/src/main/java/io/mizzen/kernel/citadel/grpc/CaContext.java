package io.mizzen.kernel.citadel.grpc;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Citadel's context as the CA sees it: the same in all but the state folder, which is the
 * {@code ca} folder inside Citadel's own, so the CA's root never mixes with the token file.
 */
record CaContext(MeshContext citadel) implements MeshContext {
  @Override
  public Vertx vertx() {
    return citadel.vertx();
  }

  @Override
  public <T> Future<T> executeBlocking(Callable<T> task) {
    return citadel.executeBlocking(task);
  }

  @Override
  public String trustDomain() {
    return citadel.trustDomain();
  }

  @Override
  public String rootNamespace() {
    return citadel.rootNamespace();
  }

  @Override
  public Path stateDir() {
    return citadel.stateDir().resolve("ca");
  }

  @Override
  public MeshPorts ports() {
    return citadel.ports();
  }

  @Override
  public String bindAddress() {
    return citadel.bindAddress();
  }

  @Override
  public Role role() {
    return citadel.role();
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return citadel.settings(extensionName);
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return citadel.extensions(extensionPoint);
  }

  @Override
  public <T> T lookup(Class<T> type) {
    return citadel.lookup(type);
  }

  @Override
  public <T> void publish(Class<T> type, T service) {
    citadel.publish(type, service);
  }
}
