package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CSR signing throughput through the CA's public API (CSR checks, signing, the worker-pool hop),
 * in certificates per second. Not a test: run it as the README says. Two caller threads keep
 * both cores' worth of workers busy.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@Threads(2)
public class SigningBenchmark {
  @Param({"EC", "RSA"})
  public String workloadKey;

  private Vertx vertx;
  private BouncyCastleAuthority ca;
  private Path state;
  private final List<String> csrs = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final SpiffeId identity = SpiffeId.parse(Csrs.SPIFFE_A);

  @Setup(Level.Trial)
  public void start() throws Exception {
    vertx = Vertx.vertx();
    state = Files.createTempDirectory("ca-bench");
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of())));
    for (int i = 0; i < 64; i++) {
      KeyPair keys = workloadKey.equals("EC") ? Csrs.ec() : Csrs.generate("RSA", 2048);
      csrs.add(Csrs.forSpiffe(keys, Csrs.SPIFFE_A));
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    Await.result(vertx.close());
  }

  @Benchmark
  public IssuedCertificate sign() {
    String csr = csrs.get(Math.floorMod(next.getAndIncrement(), csrs.size()));
    return Await.result(ca.sign(new SigningRequest(csr, identity, null)));
  }
}
