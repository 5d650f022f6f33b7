package io.mizzen.proxy;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Service instances plus inline Istio YAML, applied to the fixture's proxy as one snapshot. */
final class Mesh {
  private final Fixture f;
  final List<ServiceInstance> instances = new ArrayList<>();
  private int version;

  Mesh(Fixture f) {
    this.f = f;
  }

  /** Registers {@code 127.0.0.1:port} as an instance of {@code service} (port 9080) with a version label. */
  Mesh instance(String service, String version, int port) {
    instances.add(new ServiceInstance(service, "default", service + ".default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("http", 9080, port, "HTTP")), Map.of("app", service, "version", version),
        "default", "test"));
    return this;
  }

  void apply(String yaml) {
    version++;
    Fixture.await(f.proxy.apply(new ProxySnapshot(Integer.toString(version),
        yaml.isBlank() ? List.of() : Samples.parse(yaml, "inline"), instances)));
  }
}
