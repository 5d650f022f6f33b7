package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.config.ResourceKey;
import java.util.Map;

/**
 * A handler: an adapter and its params (validated by the adapter).
 *
 * @param name the fully qualified name, such as {@code denyall.handler.istio-system} or the legacy
 *     {@code doublehandler.prometheus.istio-system}
 * @param adapter the adapter's name
 * @param params its params, as written
 * @param address for an out-of-process handler, its gRPC {@code connection.address}; else null
 * @param origin the resource it came from
 */
public record HandlerConfig(String name, String adapter, Map<String, Object> params, String address, ResourceKey origin) {
  /** Out-of-process handlers load and validate but are not called (inactive). */
  public boolean outOfProcess() {
    return address != null;
  }
}
