package io.mizzen.kernel.citadel.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.agent.identity.CitadelClient;
import io.mizzen.kernel.agent.identity.KeyType;
import io.mizzen.kernel.agent.identity.PendingIdentity;
import io.mizzen.kernel.agent.identity.WorkloadKeys;
import io.mizzen.kernel.citadel.CsrService;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Citadel as the kernel starts it: settings, the CA extension, the token folder, the port. */
class CitadelFunctionTest {
  @TempDir Path state;
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void servesAgentsWithTokensFromItsStateFolder() throws Exception {
    ControlPlane context = new ControlPlane(vertx, state, Map.of("citadel", Map.of("host", "127.0.0.1", "port", 0)),
        List.of(new BouncyCastleAuthority()), new ConcurrentHashMap<>());
    CitadelFunction citadel = new CitadelFunction();
    await(citadel.start(context));
    assertTrue(citadel.ready());
    assertTrue(Files.exists(state.resolve("ca").resolve("root-key.pem")), "the CA keeps its root under <state>/ca");
    CsrService published = context.lookup(CsrService.class);
    assertNotNull(published);
    CertificateAuthority ca = context.lookup(CertificateAuthority.class);

    // What `mizzen token create --state-dir <state>` does.
    String token = TokenStore.inFolder(state, Clock.systemUTC()).create("default", "reviews", Duration.ofHours(1)).token();
    SpiffeId reviews = SpiffeId.of("cluster.local", "default", "reviews");
    CitadelClient client = CitadelClient.create(vertx, SocketAddress.inetSocketAddress(citadel.port(), "127.0.0.1"), ca.rootsPem());
    PendingIdentity pending = await(WorkloadKeys.prepare(vertx, reviews, KeyType.EC_P256));
    IssuedCertificate issued = await(client.sign(WorkloadKeys.request(token, pending, Clock.systemUTC(), null)));
    assertTrue(issued.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
    await(client.close());

    await(citadel.stop());
    assertTrue(!citadel.ready() && citadel.port() == -1);
  }

  @Test
  void withoutAnyCaPluginCitadelStaysOffAndTheBootGoesOn() throws Exception {
    ControlPlane context = new ControlPlane(vertx, state, Map.of(), List.of(), new ConcurrentHashMap<>());
    CitadelFunction citadel = new CitadelFunction();
    await(citadel.start(context));
    assertTrue(citadel.ready());
    assertEquals(-1, citadel.port());
    assertEquals(null, context.lookup(CsrService.class));
    // Asking for a CA by name that is not there is an error, not a silent off.
    ControlPlane asking = new ControlPlane(vertx, state, Map.of("citadel", Map.of("ca", "bouncycastle")), List.of(),
        new ConcurrentHashMap<>());
    assertTrue(failure(new CitadelFunction().start(asking)).getMessage().contains("citadel.ca"));
  }

  @Test
  void aSidecarWithoutIdentitySettingsRunsWithoutACertificate() throws Exception {
    ControlPlane context = new ControlPlane(vertx, state, Map.of(), List.of(), new ConcurrentHashMap<>());
    io.mizzen.kernel.agent.identity.AgentIdentityFunction agent = new io.mizzen.kernel.agent.identity.AgentIdentityFunction();
    await(agent.start(context));
    assertTrue(agent.ready());
    assertEquals(null, context.lookup(io.mizzen.spi.ca.WorkloadCertificates.class));
    await(agent.stop());
  }

  @Test
  void anUnknownCaIsNamed() {
    ControlPlane context = new ControlPlane(vertx, state, Map.of("citadel", Map.of("ca", "vault", "port", 0)),
        List.of(new BouncyCastleAuthority()), new ConcurrentHashMap<>());
    String message = failure(new CitadelFunction().start(context)).getMessage();
    assertTrue(message.contains("citadel.ca") && message.contains("vault") && message.contains("bouncycastle"), message);
  }

  @Test
  void invalidSettingsAreNamedByField() {
    ControlPlane context = new ControlPlane(vertx, state, Map.of("citadel", Map.of("port", 99999, "servingTtl", "forever", "colour", "red")),
        List.of(new BouncyCastleAuthority()), new ConcurrentHashMap<>());
    String message = failure(new CitadelFunction().start(context)).getMessage();
    assertTrue(message.contains("port") && message.contains("servingTtl") && message.contains("colour"), message);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Throwable failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A control plane's context as the kernel gives it to a function, holding what this test needs. */
  record ControlPlane(Vertx vertx, Path stateDir, Map<String, Map<String, Object>> allSettings, List<CertificateAuthority> cas,
      Map<Class<?>, Object> published) implements MeshContext {
    @Override
    public <T> Future<T> executeBlocking(Callable<T> task) {
      return vertx.executeBlocking(task, false);
    }

    @Override
    public String trustDomain() {
      return "cluster.local";
    }

    @Override
    public String rootNamespace() {
      return "istio-system";
    }

    @Override
    public Role role() {
      return Role.CONTROL_PLANE;
    }

    @Override
    public Map<String, Object> settings(String extensionName) {
      return allSettings.getOrDefault(extensionName, Map.of());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> List<T> extensions(Class<T> extensionPoint) {
      return extensionPoint == CertificateAuthority.class ? (List<T>) cas : List.of();
    }

    @Override
    public <T> T lookup(Class<T> type) {
      return type.cast(published.get(type));
    }

    @Override
    public <T> void publish(Class<T> type, T service) {
      published.put(type, service);
    }
  }
}
