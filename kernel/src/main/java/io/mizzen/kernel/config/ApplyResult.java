package io.mizzen.kernel.config;

import io.mizzen.spi.config.ResourceKey;
import java.util.List;

/**
 * What applying a batch did.
 *
 * @param version the store's version after the batch (unchanged when nothing was accepted)
 * @param accepted resources now in force as given
 * @param deleted resources removed
 * @param refused resources refused; their last good version (if any) stays in force
 * @param problems every error (the reasons for refusal), warning and note, with field and line
 */
public record ApplyResult(
    long version, List<ResourceKey> accepted, List<ResourceKey> deleted, List<ResourceKey> refused,
    List<ConfigProblem> problems) {
  public ApplyResult {
    accepted = List.copyOf(accepted);
    deleted = List.copyOf(deleted);
    refused = List.copyOf(refused);
    problems = List.copyOf(problems);
  }

  /** True when nothing was refused. */
  public boolean ok() {
    return refused.isEmpty() && problems.stream().noneMatch(ConfigProblem::isError);
  }

  /** The errors among {@link #problems()}. */
  public List<ConfigProblem> errors() {
    return problems.stream().filter(ConfigProblem::isError).toList();
  }
}
