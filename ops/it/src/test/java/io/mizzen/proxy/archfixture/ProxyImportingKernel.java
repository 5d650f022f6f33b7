package io.mizzen.proxy.archfixture;

import io.mizzen.kernel.Main;

/**
 * A deliberate violation of the dependency rule (a proxy class reaching into the kernel), kept in
 * test sources only, to prove {@code DependencyRuleIT}'s rule catches it.
 */
public final class ProxyImportingKernel {
  private ProxyImportingKernel() {}

  public static Class<?> kernelEntryPoint() {
    return Main.class;
  }
}
