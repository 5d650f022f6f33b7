package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import java.util.ArrayList;
import java.util.List;

/**
 * What reading some YAML gave: the resources Mizzen serves, and every problem and note.
 *
 * @param resources the resources read, in file and document order
 * @param problems syntax errors, unreadable documents, and notes on what was passed over
 */
public record Loaded(List<Resource> resources, List<ConfigProblem> problems) {
  public Loaded {
    resources = List.copyOf(resources);
    problems = List.copyOf(problems);
  }

  /** The errors among {@link #problems()}. */
  public List<ConfigProblem> errors() {
    return problems.stream().filter(ConfigProblem::isError).toList();
  }

  /** This and {@code other}, in that order. */
  public Loaded plus(Loaded other) {
    List<Resource> r = new ArrayList<>(resources);
    r.addAll(other.resources);
    List<ConfigProblem> p = new ArrayList<>(problems);
    p.addAll(other.problems);
    return new Loaded(r, p);
  }
}
