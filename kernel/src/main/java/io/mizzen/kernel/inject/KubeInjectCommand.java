package io.mizzen.kernel.inject;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen kube-inject}: istioctl's kube-inject for Mizzen. Reads a manifest, writes it back
 * with the sidecar injected into every workload; everything else passes through unchanged.
 * Typical use: {@code kubectl apply -f <(mizzen kube-inject -f app.yaml)}.
 *
 * <p>A one-shot CLI tool on its own thread: blocking file I/O is expected here.
 */
@Command(name = "kube-inject", mixinStandardHelpOptions = true,
    description = "Inject the Mizzen sidecar into Kubernetes workloads (Pod, Deployment, StatefulSet, "
        + "DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).")
public final class KubeInjectCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
      description = "Input Kubernetes manifest, '-' for standard input.")
  Path input;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Output file (default: standard output).")
  Path output;

  @Option(names = "--injectConfigFile", paramLabel = "FILE",
      description = "Injection template (default: the one shipped in the jar).")
  Path injectConfigFile;

  @Option(names = "--meshConfigFile", paramLabel = "FILE",
      description = "Mesh config (Istio MeshConfig YAML: trustDomain, defaultConfig.discoveryAddress, ...).")
  Path meshConfigFile;

  @Override
  public Integer call() throws IOException {  // IOException: only from standard input
    PrintWriter err = spec.commandLine().getErr();
    try {
      InjectionTemplate template = injectConfigFile == null ? InjectionTemplate.defaults() : InjectionTemplate.load(injectConfigFile);
      MeshDefaults mesh = meshConfigFile == null ? MeshDefaults.defaults() : MeshDefaults.load(meshConfigFile);
      boolean stdin = input.toString().equals("-");
      String source = stdin ? "<stdin>" : input.toString();
      String text = stdin ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : read(input);
      String injected = SidecarInjector.create(template, mesh).injectManifest(text, source);
      if (output == null) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(injected);
        out.flush();
      } else {
        write(output, injected);
      }
      return 0;
    } catch (InjectionException e) {
      err.println("kube-inject: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new InjectionException(file + ": cannot write the injected manifest: " + e.getMessage(), e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new InjectionException(file + ": cannot read manifest: " + e.getMessage(), e);
    }
  }
}
