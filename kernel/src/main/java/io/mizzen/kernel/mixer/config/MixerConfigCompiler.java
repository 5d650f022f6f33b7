package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.AttributeManifest;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.MixerAdapter;
import java.util.List;
import java.util.Map;

/**
 * Compiles the {@code config.istio.io} resources of one config version. Invalid resources are
 * refused (left out, with every error naming the resource and the field); resources that depend
 * on a refused one are refused too, so what remains is consistent. Resources of other API groups
 * are ignored.
 */
public interface MixerConfigCompiler {

  /**
   * Compiles {@code resources} as config {@code version}.
   *
   * @return the config made of the valid resources, the errors of the others, and warnings
   */
  Compilation compile(List<Resource> resources, long version);

  /**
   * A compiler for a mesh whose root namespace is {@code rootNamespace}, with these in-process
   * adapters (by name) installed.
   */
  static MixerConfigCompiler of(String rootNamespace, Map<String, MixerAdapter> adapters) {
    return of(rootNamespace, adapters, AttributeManifest.builtIn());
  }

  /**
   * As {@link #of(String, Map)}, over these base manifests (read once by the caller, so that
   * compiling a version does no I/O).
   */
  static MixerConfigCompiler of(String rootNamespace, Map<String, MixerAdapter> adapters, List<AttributeManifest> base) {
    List<AttributeManifest> manifests = List.copyOf(base);
    return (resources, version) -> new ResourceCompiler(rootNamespace, adapters, manifests, version).compile(resources);
  }

  /**
   * The outcome.
   *
   * @param config what was valid
   * @param errors every refused resource's problems
   */
  record Compilation(MixerConfig config, List<ResourceError> errors) {
    public Compilation {
      errors = List.copyOf(errors);
    }

    public boolean ok() {
      return errors.isEmpty();
    }
  }
}
