package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signs 2,000 ECDSA P-256 CSRs through the CA's worker pool and prints certificates per second.
 * A figure, not an assertion: timing depends on the machine. The count is fixed and every result
 * is checked, so the loop is bounded and cannot pass without signing.
 */
@ExtendWith(VertxExtension.class)
class SigningThroughputTest {
  private static final int COUNT = 2_000;

  @TempDir Path state;

  @Test
  void signs2000EcdsaCsrs(Vertx vertx) {
    BouncyCastleAuthority ca = new BouncyCastleAuthority();
    Await.result(ca.start(new StandaloneMeshContext(vertx, state, Map.of())));
    SpiffeId id = SpiffeId.parse(Csrs.SPIFFE_A);
    // Distinct CSRs from 100 keys: making 2,000 keys would take longer than signing them.
    List<java.security.KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      keys.add(Csrs.ec());
    }
    List<String> csrs = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      csrs.add(Csrs.forSpiffe(keys.get(i % keys.size()), Csrs.SPIFFE_A));
    }
    // Warm the JIT on half as many first, so the figure is about signing, not class loading and
    // interpretation; the JMH SigningBenchmark warms for longer.
    List<Future<IssuedCertificate>> warmUp = new ArrayList<>();
    for (int i = 0; i < COUNT / 2; i++) {
      warmUp.add(ca.sign(new SigningRequest(csrs.get(i), id, null)));
    }
    Await.result(Future.all(warmUp));
    long start = System.nanoTime();
    List<Future<IssuedCertificate>> all = new ArrayList<>(COUNT);
    for (String csr : csrs) {
      all.add(ca.sign(new SigningRequest(csr, id, null)));
    }
    Await.result(Future.all(all));
    double seconds = (System.nanoTime() - start) / 1e9;
    Set<String> serials = new HashSet<>();
    for (Future<IssuedCertificate> f : all) {
      serials.add(f.result().serial());
    }
    assertEquals(COUNT, serials.size());
    System.out.printf("ca-bouncycastle: signed %d ECDSA P-256 CSRs in %.2f s: %.0f certificates/s (%d cores, Vert.x worker pool)%n",
        COUNT, seconds, COUNT / seconds, Runtime.getRuntime().availableProcessors());
  }
}
