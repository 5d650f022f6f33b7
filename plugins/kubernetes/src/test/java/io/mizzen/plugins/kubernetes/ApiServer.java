package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * fabric8's Kubernetes mock server 7.5.2 in CRUD mode on 127.0.0.1 (plain HTTP), standing in for
 * the API server, which is outside the system. {@link #stop()} then {@link #start()} restart it on
 * the same port over the same stored objects, as an API server restart looks to a watching client.
 *
 * <p>The mock is built on Vert.x 4 (its watch endpoint calls {@code ServerWebSocket.accept()},
 * gone in Vert.x 5), while this module's tests run the host's Vert.x 5. So it runs in a class
 * loader of its own: Vert.x 4 and Netty 4.1 from {@code target/mock-api-server} (copied by the
 * pom), fabric8 and Jackson from the test class path, and nothing of Vert.x 5 or Netty 4.2.
 */
final class ApiServer implements AutoCloseable {
  private static final String MOCK = "io.fabric8.kubernetes.client.server.mock.";
  private static final ClassLoader LOADER = isolatedLoader();

  private final Object dispatcher;
  private Object server;
  private int port;

  ApiServer() {
    try {
      dispatcher = LOADER.loadClass(MOCK + "KubernetesCrudDispatcher").getConstructor().newInstance();
      server = newServer();
      init(0);
      port = (Integer) server.getClass().getMethod("getPort").invoke(server);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot start the mock API server", e);
    }
  }

  private Object newServer() throws ReflectiveOperationException {
    // Vert.x finds its service providers through the context class loader.
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(LOADER);
    try {
      return construct();
    } finally {
      t.setContextClassLoader(before);
    }
  }

  private Object construct() throws ReflectiveOperationException {
    Class<?> context = LOADER.loadClass("io.fabric8.mockwebserver.Context");
    Class<?> web = LOADER.loadClass("io.fabric8.mockwebserver.MockWebServer");
    Class<?> dispatcherType = LOADER.loadClass("io.fabric8.mockwebserver.http.Dispatcher");
    return LOADER.loadClass(MOCK + "KubernetesMockServer")
        .getConstructor(context, web, Map.class, dispatcherType, boolean.class)
        .newInstance(context.getConstructor().newInstance(), web.getConstructor().newInstance(), new HashMap<>(),
            dispatcher, false);
  }

  private void init(int onPort) throws ReflectiveOperationException {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(LOADER);
    try {
      server.getClass().getMethod("init", InetAddress.class, int.class).invoke(server, InetAddress.getLoopbackAddress(), onPort);
    } finally {
      t.setContextClassLoader(before);
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The plugin's settings for this server: short resync and reconnect, so tests stay fast. */
  Map<String, Object> settings() {
    return Map.of("enabled", true, "masterUrl", url(), "resync", "2s", "reconnectInterval", "200ms");
  }

  /** A client the test changes the cluster with (the plugin's own recipe, JDK transport). */
  KubernetesClient client() {
    return KubeClients.create(KubeSettings.from(settings(), Map.of()));
  }

  /** Stops the server: watches break, requests are refused. */
  void stop() {
    invoke("destroy");
  }

  /** Starts a new server on the same port with the same objects. */
  void start() {
    try {
      server = newServer();
      init(port);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot restart the mock API server on port " + port, e);
    }
  }

  @Override
  public void close() {
    invoke("destroy");
  }

  private void invoke(String method) {
    try {
      server.getClass().getMethod(method).invoke(server);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("mock API server " + method + " failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("mock API server has no " + method + "()", e);
    }
  }

  private static ClassLoader isolatedLoader() {
    List<URL> urls = new ArrayList<>();
    try {
      Path mockLibs = Path.of("target", "mock-api-server");
      try (Stream<Path> jars = Files.list(mockLibs)) {
        for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
          urls.add(jar.toUri().toURL());
        }
      }
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        String e = entry.replace('\\', '/');
        boolean host = e.contains("/io/vertx/") || e.contains("/io/netty/") || e.contains("/io/mizzen/")
            || e.endsWith("/target/classes") || e.endsWith("/target/test-classes");
        if (!host) {
          urls.add(Path.of(entry).toUri().toURL());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read target/mock-api-server (run through Maven, which copies it)", e);
    }
    return new URLClassLoader("mock-api-server", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }
}
