package io.mizzen.it.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.it.support.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, run as a user runs it: {@code bin/mizzen demo} from the distribution —
 * a control plane, six Bookinfo workloads each behind its own sidecar kernel, an ingress gateway —
 * with the guided tour, whose steps are checked here one by one.
 */
class DemoIT {
  private static final Path DIST = Path.of(System.getProperty("mizzen.dist", "../dist/target/mizzen"));

  @TempDir Path work;

  @Test
  void bookinfoTourThroughRealSidecars() throws Exception {
    // The control plane's ports must be fixed in the file; the gateway takes --port 0. A chosen
    // port can still be taken by another process before the demo binds it: then it runs again.
    Path log = work.resolve("demo.log");
    Process p = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      int[] ports = FreePorts.pick(6);
      Path yaml = Files.writeString(work.resolve("mizzen.yaml"), String.format("""
          pluginsDir: %s
          stateDir: %s
          ports: {admin: %d, grpc: %d, grpcTls: %d, mixer: %d, monitoring: %d, webhook: %d, outbound: 0, inbound: 0, health: 0, prometheus: 0}
          """, DIST.resolve("plugins"), work.resolve("state"), ports[0], ports[1], ports[2], ports[3], ports[4],
          ports[5]));
      p = new ProcessBuilder(DIST.resolve("bin/mizzen").toString(), "--config", yaml.toString(),
          "demo", "--exit-after-tour", "--port", "0")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the demo did not finish its tour in 240 s");
      } finally {
        p.destroyForcibly();
      }
      if (!Files.readString(log).contains("Address already in use")) {
        break;
      }
    }
    String out = Files.readString(log);
    assertTrue(out.contains("The mesh is up"), out);
    assertEquals(0, p.exitValue(), "the tour exits 0 only when every step showed what it should:\n" + out);
    assertFalse(out.contains("Exception in thread"), "the demo stops without a stack trace:\n" + out);
    for (String step : new String[] {
        "ok: 10 of 10 on reviews v1",
        "ok: jason always v2, others v1",
        "ok: about 50 of 100 on v3",
        "ok: reviews v2 sees ratings answer 500",
        "ok: pages still served, sidecars present SPIFFE certificates",
        "ok: reviews v3's call to ratings answered 403",
        "ok: some 200s, then 429",
        "ok: istio_requests_total series",
        "ok: reviews v1 again"}) {
      assertTrue(out.contains(step), "tour step missing: " + step + "\n" + out);
    }
  }
}
