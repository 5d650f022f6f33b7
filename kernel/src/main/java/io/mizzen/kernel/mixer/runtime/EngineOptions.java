package io.mizzen.kernel.mixer.runtime;

import java.time.Duration;

/**
 * How the engine behaves.
 *
 * @param rootNamespace whose rules apply mesh-wide ({@code istio-system} by default)
 * @param adapterTimeout how long one adapter call may take before it counts as failed
 * @param failOpen whether a failed or slow check adapter lets the request through (true) or
 *     denies it with UNAVAILABLE (false, Istio's default)
 * @param defaultValidDuration how long a verdict no handler constrained may be cached
 * @param defaultValidUseCount how many times such a verdict may be reused
 */
public record EngineOptions(String rootNamespace, Duration adapterTimeout, boolean failOpen,
                            Duration defaultValidDuration, int defaultValidUseCount) {
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";
  public static final Duration DEFAULT_ADAPTER_TIMEOUT = Duration.ofMillis(500);
  public static final Duration DEFAULT_VALID_DURATION = Duration.ofMinutes(1);
  public static final int DEFAULT_VALID_USE_COUNT = 10_000;

  public EngineOptions {
    if (rootNamespace == null || rootNamespace.isBlank()) {
      throw new IllegalArgumentException("rootNamespace must not be empty");
    }
    if (adapterTimeout == null || adapterTimeout.isNegative() || adapterTimeout.isZero()) {
      throw new IllegalArgumentException("adapterTimeout must be positive, not " + adapterTimeout);
    }
    if (defaultValidDuration == null || defaultValidDuration.isNegative()) {
      throw new IllegalArgumentException("defaultValidDuration must not be negative");
    }
    if (defaultValidUseCount < 0) {
      throw new IllegalArgumentException("defaultValidUseCount must not be negative");
    }
  }

  /** Istio's defaults: root namespace istio-system, fail closed, 500 ms per adapter call. */
  public static EngineOptions defaults() {
    return new EngineOptions(DEFAULT_ROOT_NAMESPACE, DEFAULT_ADAPTER_TIMEOUT, false, DEFAULT_VALID_DURATION, DEFAULT_VALID_USE_COUNT);
  }

  public EngineOptions withFailOpen(boolean open) {
    return new EngineOptions(rootNamespace, adapterTimeout, open, defaultValidDuration, defaultValidUseCount);
  }

  public EngineOptions withAdapterTimeout(Duration timeout) {
    return new EngineOptions(rootNamespace, timeout, failOpen, defaultValidDuration, defaultValidUseCount);
  }

  public EngineOptions withRootNamespace(String root) {
    return new EngineOptions(root, adapterTimeout, failOpen, defaultValidDuration, defaultValidUseCount);
  }
}
