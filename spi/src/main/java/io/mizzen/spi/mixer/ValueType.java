package io.mizzen.spi.mixer;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The types of Mixer attributes and expression values, as Istio's attribute manifests name them.
 * Each has one Java representation, which is what {@link AttributeBag} holds and what compiled
 * expressions return.
 */
public enum ValueType {
  /** {@link String}. */
  STRING(String.class),
  /** {@link Long}. */
  INT64(Long.class),
  /** {@link Double}. */
  DOUBLE(Double.class),
  /** {@link Boolean}. */
  BOOL(Boolean.class),
  /** {@link Instant}. */
  TIMESTAMP(Instant.class),
  /** {@link Duration}. */
  DURATION(Duration.class),
  /** {@link InetAddress}, always built from a literal address (never a DNS lookup). */
  IP_ADDRESS(InetAddress.class),
  /** {@link String}, checked to be an address when produced by {@code email()}. */
  EMAIL_ADDRESS(String.class),
  /** {@link String}, checked to be a DNS name when produced by {@code dnsName()}. */
  DNS_NAME(String.class),
  /** {@link String}, checked to be a URI when produced by {@code uri()}. */
  URI(String.class),
  /** {@code Map<String, String>}; for headers the keys are lower case, as HTTP/2 writes them. */
  STRING_MAP(Map.class);

  private final Class<?> javaType;

  ValueType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** The Java class values of this type are instances of. */
  public Class<?> javaType() {
    return javaType;
  }

  /** Whether {@code value} is a valid Java representation of this type. */
  public boolean accepts(Object value) {
    return javaType.isInstance(value);
  }

  /**
   * The type named {@code name} in a manifest ({@code STRING}, {@code INT64}, …).
   *
   * @throws IllegalArgumentException naming the unknown type and the known ones
   */
  public static ValueType named(String name) {
    for (ValueType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown value type '" + name + "' (known: " + java.util.Arrays.toString(values()) + ")");
  }
}
