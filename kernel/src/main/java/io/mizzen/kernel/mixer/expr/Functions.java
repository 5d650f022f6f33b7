package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.ValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** The semantics of Mixer's functions, shared by constant checking and evaluation. */
final class Functions {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private Functions() {}

  /** The result type of a conversion function. */
  static ValueType resultOf(String function) {
    return switch (function) {
      case "ip" -> ValueType.IP_ADDRESS;
      case "timestamp" -> ValueType.TIMESTAMP;
      case "email" -> ValueType.EMAIL_ADDRESS;
      case "dnsName" -> ValueType.DNS_NAME;
      case "uri" -> ValueType.URI;
      default -> throw new IllegalArgumentException("not a conversion: " + function);
    };
  }

  /** Converts text as {@code ip()}, {@code timestamp()}, … do. @throws IllegalArgumentException when invalid */
  static Object convert(String function, String text) {
    switch (function) {
      case "ip":
        return AttributeValues.ipAddress(text);
      case "timestamp":
        return AttributeValues.timestamp(text);
      case "email":
        if (!EMAIL.matcher(text).matches()) {
          throw new IllegalArgumentException("'" + text + "' is not an email address");
        }
        return text;
      case "dnsName":
        return dnsName(text);
      case "uri":
        try {
          if (text.isEmpty()) {
            throw new URISyntaxException(text, "empty");
          }
          new URI(text);
          return text;
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("'" + text + "' is not a URI: " + e.getReason(), e);
        }
      default:
        throw new IllegalArgumentException("not a conversion: " + function);
    }
  }

  private static String dnsName(String text) {
    String s = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    if (s.isEmpty() || s.length() > 253) {
      throw new IllegalArgumentException("'" + text + "' is not a DNS name");
    }
    for (String label : s.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException("'" + text + "' is not a DNS name (bad label '" + label + "')");
      }
    }
    return text;
  }

  /** Istio's {@code match}: a trailing {@code *} matches a prefix, a leading one a suffix, else equality. */
  static boolean glob(String value, String pattern) {
    if (pattern.endsWith("*")) {
      return value.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    if (pattern.startsWith("*")) {
      return value.endsWith(pattern.substring(1));
    }
    return value.equals(pattern);
  }
}
