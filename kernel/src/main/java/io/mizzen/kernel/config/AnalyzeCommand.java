package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen analyze [-f FILE|DIR ...]}: Istio's {@code istioctl analyze}. Validates the given
 * resources, then analyzes them against each other and against what is applied (the
 * {@code applied} supplier: empty when standalone, the control plane's store once wired). Exit 0
 * without errors (warnings printed), 1 with errors.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Analyze Istio resources together: undefined subsets, missing gateways, conflicting "
        + "VirtualServices, hosts that resolve to nothing, and the like.")
public final class AnalyzeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR",
      description = "A YAML file, a folder read recursively, or - for standard input; may be repeated.")
  List<Path> files = new ArrayList<>();

  @Option(names = {"--host"}, paramLabel = "FQDN",
      description = "A host name known to discovery (as a registry would report it); may be repeated.")
  List<String> discovered = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Print errors only.")
  boolean quiet;

  private final Supplier<Collection<Resource>> applied;

  /** Standalone: analyzes the given files only. */
  public AnalyzeCommand() {
    this(List::of);
  }

  /** Analyzes the given files against {@code applied} (such as the control plane's store). */
  public AnalyzeCommand(Supplier<Collection<Resource>> applied) {
    this.applied = applied;
  }

  @Override
  public Integer call() {
    ConfigLoader loader = ConfigLoader.create();
    ConfigValidator validator = ConfigValidator.create();
    List<ConfigProblem> problems = new ArrayList<>();
    List<Resource> valid = new ArrayList<>();
    for (Path f : files) {
      Loaded l = ValidateCommand.read(loader, f);
      problems.addAll(l.problems());
      for (Resource r : l.resources()) {
        List<ConfigProblem> found = validator.validate(r);
        problems.addAll(found);
        if (found.stream().noneMatch(ConfigProblem::isError)) {
          valid.add(r);
        }
      }
    }
    problems.addAll(MeshAnalyzer.create().analyze(valid, applied.get(), Set.copyOf(discovered)));
    return ValidateCommand.report(spec, problems, valid.size(), quiet, "analyzed, no errors");
  }
}
