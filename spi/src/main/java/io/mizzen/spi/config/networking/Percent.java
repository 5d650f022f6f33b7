package io.mizzen.spi.config.networking;

/** Istio's {@code Percent} message: {@code percentage: {value: 12.5}}, 0.0 to 100.0. */
public record Percent(Double value) {
  /** The value, 0 when unset. */
  public double asDouble() {
    return value == null ? 0d : value;
  }
}
