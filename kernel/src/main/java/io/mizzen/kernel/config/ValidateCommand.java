package io.mizzen.kernel.config;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen validate -f FILE|DIR ...}: Istio's {@code istioctl validate}. Each resource on its
 * own; exit 0 when every file is valid (warnings and notes are printed), 1 when any error is
 * found. Runs on the command line's thread: reading files blocks, no event loop is involved.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Validate Istio resources one by one: schema, unknown fields, enums, weights, "
        + "durations, regexes, ports, status codes, percentages.")
public final class ValidateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR",
      description = "A YAML file, a folder read recursively, or - for standard input; may be repeated.")
  List<Path> files = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Print errors only.")
  boolean quiet;

  @Override
  public Integer call() {
    ConfigLoader loader = ConfigLoader.create();
    ConfigValidator validator = ConfigValidator.create();
    List<ConfigProblem> problems = new ArrayList<>();
    int resources = 0;
    for (Path f : files) {
      Loaded l = read(loader, f);
      problems.addAll(l.problems());
      problems.addAll(validator.validateAll(l.resources()));
      resources += l.resources().size();
    }
    return report(spec, problems, resources, quiet, "valid");
  }

  /** Reads a file or folder, or standard input for {@code -}. */
  static Loaded read(ConfigLoader loader, Path f) {
    if (!f.toString().equals("-")) {
      return loader.read(f);
    }
    try {
      return loader.read("<stdin>", new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      return new Loaded(List.of(), List.of(new ConfigProblem(ConfigProblem.Severity.ERROR, "<stdin>", 0, 0, "", "",
          "cannot read standard input: " + e.getMessage())));
    }
  }

  static int report(CommandSpec spec, List<ConfigProblem> problems, int resources, boolean quiet, String word) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long errors = problems.stream().filter(ConfigProblem::isError).count();
    for (ConfigProblem p : problems) {
      if (p.isError()) {
        err.println(p);
      } else if (!quiet) {
        out.println(p);
      }
    }
    long warnings = problems.stream().filter(p -> p.severity() == ConfigProblem.Severity.WARNING).count();
    if (errors == 0) {
      out.println(resources + " resources " + word + (warnings > 0 ? ", " + warnings + " warnings" : ""));
    } else {
      err.println(errors + " errors, " + warnings + " warnings in " + resources + " resources");
    }
    out.flush();
    err.flush();
    return errors == 0 ? 0 : 1;
  }
}
