package io.mizzen.it.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled distribution, run as a user runs it: bin/mizzen in a child process. */
class DistributionIT {
  private static final Path DIST = Path.of(System.getProperty("mizzen.dist", "../dist/target/mizzen"));

  @TempDir Path work;

  @Test
  void layoutIsComplete() {
    assertTrue(Files.isExecutable(DIST.resolve("bin/mizzen")), "bin/mizzen missing or not executable");
    assertTrue(Files.isDirectory(DIST.resolve("plugins")));
    assertTrue(Files.exists(DIST.resolve("conf/mizzen.yaml")));
    assertTrue(Files.exists(DIST.resolve("lib").resolve("kernel-" + version() + ".jar")));
    assertTrue(Files.exists(DIST.resolve("lib").resolve("proxy-" + version() + ".jar")));
  }

  @Test
  void versionAndHelpRun() throws Exception {
    Run version = run("version");
    assertEquals(0, version.code(), version.output());
    assertTrue(version.output().contains("spi 1."), version.output());
    Run help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.output().contains("control-plane") && help.output().contains("sidecar"));
    Run bad = run("no-such-command");
    assertTrue(bad.code() != 0, "an unknown command must fail");
  }

  @Test
  void invalidSettingsAreRefusedWithFileLineAndField() throws Exception {
    Path yaml = Files.writeString(work.resolve("mizzen.yaml"), "ports:\n  admin: banana\n");
    Run r = run("--config", yaml.toString(), "control-plane");
    assertTrue(r.code() != 0);
    assertTrue(r.output().contains(yaml + ":2: ports.admin"), r.output());
  }

  @Test
  void controlPlaneBecomesReadyAndStopsOnSigterm() throws Exception {
    Path yaml = Files.writeString(work.resolve("mizzen.yaml"), String.format("""
        pluginsDir: %s
        stateDir: %s
        ports: {admin: 0, grpc: 0, grpcTls: 0, mixer: 0, monitoring: 0, outbound: 0, inbound: 0, health: 0, prometheus: 0, webhook: 0}
        """, work.resolve("plugins"), work.resolve("state")));
    Process p = new ProcessBuilder(DIST.resolve("bin/mizzen").toString(), "--config",
        yaml.toString(), "control-plane").redirectErrorStream(true)
        .redirectOutput(work.resolve("log").toFile()).start();
    try {
      int admin = AdminPort.await(p, work.resolve("log"), Duration.ofSeconds(30));
      int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
              + "/healthz/ready")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      assertEquals(200, status, Files.readString(work.resolve("log")));
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "did not exit on SIGTERM");
    } finally {
      p.destroyForcibly();
    }
  }

  private record Run(int code, String output) {}

  private Run run(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = DIST.resolve("bin/mizzen").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Path out = work.resolve("out-" + System.nanoTime());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    return new Run(p.exitValue(), Files.readString(out));
  }

  private static String version() {
    try (var in = DistributionIT.class.getResourceAsStream("/io/mizzen/kernel/mizzen-version.properties")) {
      var props = new java.util.Properties();
      props.load(in);
      return props.getProperty("mizzen.version");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
