package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import java.util.List;

/**
 * Istio's first validation step ({@code istioctl validate}): each resource on its own. Its spec
 * is bound strictly to the typed model (unknown fields, types, enums, durations, required
 * fields), then checked for what a schema cannot say: weights summing to 100, regex syntax,
 * ports, status codes and percentages in range, and the like. Cheap and side-effect free; safe
 * on an event loop for ordinary batches.
 */
public interface ConfigValidator {

  /** A validator; it keeps no state. */
  static ConfigValidator create() {
    return new ResourceValidator();
  }

  /** Every error and warning about {@code resource}, each naming its field and line. */
  List<ConfigProblem> validate(Resource resource);

  /** {@link #validate} over several resources, in order. */
  default List<ConfigProblem> validateAll(List<Resource> resources) {
    return resources.stream().flatMap(r -> validate(r).stream()).toList();
  }
}
