package io.mizzen.proxy;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bookinfo's services as tiny upstreams answering {@code <service>-<version>}, registered as
 * service instances on port 9080 of {@code <service>.default.svc.cluster.local}.
 */
final class Bookinfo {
  final Fixture f;
  final List<ServiceInstance> instances = new ArrayList<>();
  final Map<String, HttpServer> servers = new java.util.HashMap<>();

  Bookinfo(Fixture f) {
    this.f = f;
    add("productpage", "v1");
    add("details", "v1");
    add("details", "v2");
    add("ratings", "v1");
    add("ratings", "v2");
    add("reviews", "v1");
    add("reviews", "v2");
    add("reviews", "v3");
  }

  HttpServer add(String service, String version) {
    HttpServer s = f.named(service + "-" + version);
    servers.put(service + "-" + version, s);
    instances.add(instance(service, version, s.actualPort()));
    return s;
  }

  static ServiceInstance instance(String service, String version, int port) {
    return new ServiceInstance(service, "default", service + ".default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("http", 9080, port, "HTTP")), Map.of("app", service, "version", version),
        "bookinfo-" + service, "test");
  }

  void apply(String version, List<Resource> resources) {
    Fixture.await(f.proxy.apply(new ProxySnapshot(version, resources, instances)));
  }

  /** The sample files' resources, applied in order: a later resource replaces one of the same key. */
  static List<Resource> samples(String... files) {
    Map<io.mizzen.spi.config.ResourceKey, Resource> all = new java.util.LinkedHashMap<>();
    for (String file : files) {
      for (Resource r : Samples.bookinfo(file)) {
        all.remove(r.key());
        all.put(r.key(), r);
      }
    }
    return new ArrayList<>(all.values());
  }

  /** Which upstream answered: the first word of the body. */
  static String servedBy(Fixture.Reply r) {
    int space = r.body().indexOf(' ');
    return space < 0 ? r.body() : r.body().substring(0, space);
  }
}
