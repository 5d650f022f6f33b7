package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCommandsTest {

  record Run(int exit, String out, String err) {}

  static Run run(Callable<Integer> command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void validateAcceptsEverySampleFolder() {
    Run r = run(new ValidateCommand(), "-f", Samples.root().toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("resources valid"), r.out());
    assertTrue(r.out().contains("skipped: Kubernetes Deployment"), "notes are printed");
  }

  @Test
  void validateFailsNamingFileLineAndField(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - rout: [{destination: {host: reviews}}]
        """);
    Run r = run(new ValidateCommand(), "-f", bad.toString(), "-f", Samples.root().resolve("bookinfo/networking").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains(bad + ":7 (document 0) VirtualService/default/reviews spec.http[0].rout: unknown field 'rout'"),
        r.err());
  }

  @Test
  void analyzeFindsAMissingSubsetAcrossFilesAndPassesWhenTheRuleIsGiven() {
    Path net = Samples.root().resolve("bookinfo/networking");
    Path kube = Samples.root().resolve("bookinfo/platform/kube/bookinfo.yaml");
    Run without = run(new AnalyzeCommand(), "-f", kube.toString(), "-f", net.resolve("virtual-service-reviews-80-20.yaml").toString());
    assertEquals(1, without.exit());
    assertTrue(without.err().contains("virtual-service-reviews-80-20.yaml:12 (document 0) VirtualService/default/reviews "
        + "spec.http[0].route[0].destination.subset: subset 'v1' is referenced but no DestinationRule"), without.err());
    Run with = run(new AnalyzeCommand(), "-f", kube.toString(), "-f", net.resolve("virtual-service-reviews-80-20.yaml").toString(),
        "-f", net.resolve("destination-rule-all.yaml").toString());
    assertEquals(0, with.exit(), with.err());
  }

  @Test
  void validateReadsStandardInput() {
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("""
          apiVersion: networking.istio.io/v1alpha3
          kind: DestinationRule
          metadata: {name: reviews}
          spec:
            host: reviews
            trafficPolicy: {loadBalancer: {simple: FASTEST}}
          """.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Run r = run(new ValidateCommand(), "-f", "-");
      assertEquals(1, r.exit());
      assertTrue(r.err().contains("<stdin>:6 (document 0) DestinationRule/default/reviews spec.trafficPolicy.loadBalancer.simple"),
          r.err());
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void analyzeSeesWhatIsApplied() {
    Path net = Samples.root().resolve("bookinfo/networking");
    List<io.mizzen.spi.config.Resource> applied = ConfigLoader.create()
        .read(Samples.root().resolve("bookinfo/platform/kube/bookinfo.yaml"))
        .plus(ConfigLoader.create().read(net.resolve("destination-rule-all.yaml"))).resources();
    Run r = run(new AnalyzeCommand(() -> applied), "-f", net.resolve("virtual-service-reviews-80-20.yaml").toString());
    assertEquals(0, r.exit(), r.err());
  }
}
