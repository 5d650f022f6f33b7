package io.mizzen.kernel.demo;

import io.mizzen.kernel.cli.MizzenCommand;
import io.mizzen.kernel.settings.MeshSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mizzen demo}: Bookinfo on loopback. Boots the mesh ({@link DemoMesh}), runs the guided
 * tour ({@link DemoTour}) unless told not to, prints the tutorial's curl commands, and serves until
 * SIGTERM (Ctrl-C).
 */
@Command(name = "demo", description = "Run a whole local mesh on loopback: a control plane, "
    + "Bookinfo's six workloads each with its sidecar, and an ingress gateway; then show routing, "
    + "a canary, fault injection, mTLS, a policy denial, a rate limit and metrics.")
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  MizzenCommand parent;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", defaultValue = "8080",
      description = "The ingress gateway's port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--no-tour", description = "Skip the guided tour; just run the mesh.")
  boolean noTour;

  @Option(names = "--exit-after-tour", description = "Stop once the tour is done (exit 0 when "
      + "every step showed what it should, 1 otherwise): for scripts and CI.")
  boolean exitAfterTour;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    MeshSettings settings = parent.settings();
    out.println("Mizzen demo: Bookinfo on loopback");
    DemoMesh mesh;
    try {
      mesh = DemoMesh.start(settings, port, out);
    } catch (Exception e) {
      spec.commandLine().getErr().println("mizzen demo: cannot start: " + e.getMessage());
      return 2;
    }
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      mesh.close();
      stopped.complete(null);
    }, "mizzen-demo-shutdown"));
    Path samples = mesh.samplesFolder();
    out.printf("%nThe mesh is up. Bookinfo's product page: %s/productpage%n", mesh.ingressUrl());
    boolean tourOk = true;
    if (!noTour) {
      out.printf("%nGuided tour (each step applies one of Istio's own sample files):%n");
      tourOk = new DemoTour(mesh, out).run();
    }
    printTutorial(out, mesh, samples);
    if (exitAfterTour) {
      mesh.close();
      return tourOk ? 0 : 1;
    }
    try {
      stopped.get();
    } catch (ExecutionException e) {
      return 1;
    }
    return 0;
  }

  private static void printTutorial(PrintWriter out, DemoMesh mesh, Path samples) {
    String url = mesh.ingressUrl();
    out.printf("%nTry it yourself (Istio's Bookinfo tutorial; files in %s):%n", samples);
    out.printf("  curl -s %s/productpage                        # reviews v1 everywhere%n", url);
    out.printf("  bin/mizzen apply -f %s/networking/virtual-service-reviews-test-v2.yaml%n", samples);
    out.printf("  curl -s -H 'end-user: jason' %s/productpage   # jason sees reviews v2%n", url);
    out.printf("  bin/mizzen apply -f %s/networking/virtual-service-reviews-50-v3.yaml%n", samples);
    out.printf("  bin/mizzen apply -f %s/networking/virtual-service-ratings-test-delay.yaml  # 7 s delay for jason%n", samples);
    out.printf("  bin/mizzen apply -f %s/networking/virtual-service-ratings-test-abort.yaml  # 500 for jason%n", samples);
    out.printf("  bin/mizzen apply -f %s/policy/mixer-rule-productpage-ratelimit.yaml%n", samples);
    out.printf("  bin/mizzen proxy-status%n");
    mesh.metricsPorts().forEach((name, p) ->
        out.printf("  curl -s 127.0.0.1:%d/stats/prometheus | grep istio_requests_total   # %s%n", p, name));
    out.printf("  curl -s 127.0.0.1:15000/healthz/ready        # the control plane's admin%n");
    out.printf("%nCtrl-C stops the mesh.%n");
    out.flush();
  }
}
