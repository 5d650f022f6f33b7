package io.mizzen.plugins.listchecker;

import io.mizzen.spi.mixer.AttributeValues;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** An immutable list ready for lookups, for one entry type. */
final class ListEntries {
  enum EntryType { STRINGS, CASE_INSENSITIVE_STRINGS, IP_ADDRESSES, REGEX }

  private final EntryType type;
  private final Set<String> strings;
  private final List<byte[]> networks;
  private final List<Integer> prefixes;
  private final List<Pattern> patterns;

  private ListEntries(EntryType type, Set<String> strings, List<byte[]> networks, List<Integer> prefixes, List<Pattern> patterns) {
    this.type = type;
    this.strings = strings;
    this.networks = networks;
    this.prefixes = prefixes;
    this.patterns = patterns;
  }

  /**
   * The entries, parsed for their type.
   *
   * @throws IllegalArgumentException naming the first bad entry (an IP or CIDR that does not
   *     parse, a regular expression that does not compile)
   */
  static ListEntries of(EntryType type, List<String> entries) {
    Set<String> strings = new HashSet<>();
    List<byte[]> networks = new ArrayList<>();
    List<Integer> prefixes = new ArrayList<>();
    List<Pattern> patterns = new ArrayList<>();
    for (String raw : entries) {
      String e = raw.trim();
      switch (type) {
        case STRINGS -> strings.add(e);
        case CASE_INSENSITIVE_STRINGS -> strings.add(e.toLowerCase(Locale.ROOT));
        case REGEX -> {
          try {
            patterns.add(Pattern.compile(e));
          } catch (PatternSyntaxException bad) {
            throw new IllegalArgumentException("entry '" + e + "' is not a regular expression: " + bad.getDescription());
          }
        }
        case IP_ADDRESSES -> {
          int slash = e.indexOf('/');
          byte[] address = AttributeValues.ipAddress(slash < 0 ? e : e.substring(0, slash)).getAddress();
          int bits = address.length * 8;
          int prefix = bits;
          if (slash >= 0) {
            try {
              prefix = Integer.parseInt(e.substring(slash + 1));
            } catch (NumberFormatException bad) {
              prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
              throw new IllegalArgumentException("entry '" + e + "' has a bad prefix length (0 to " + bits + ")");
            }
          }
          networks.add(address);
          prefixes.add(prefix);
        }
        default -> throw new IllegalStateException("entry type " + type);
      }
    }
    return new ListEntries(type, strings, networks, prefixes, patterns);
  }

  /** Whether {@code value} (a String, or an InetAddress from {@code ip()}) is listed. */
  boolean contains(Object value) {
    switch (type) {
      case STRINGS:
        return strings.contains(text(value));
      case CASE_INSENSITIVE_STRINGS:
        return strings.contains(text(value).toLowerCase(Locale.ROOT));
      case REGEX:
        for (Pattern p : patterns) {
          if (p.matcher(text(value)).matches()) {
            return true;
          }
        }
        return false;
      default:
        byte[] address;
        try {
          address = (value instanceof InetAddress a ? a : AttributeValues.ipAddress(text(value))).getAddress();
        } catch (IllegalArgumentException notAnAddress) {
          return false;
        }
        for (int i = 0; i < networks.size(); i++) {
          if (inNetwork(address, networks.get(i), prefixes.get(i))) {
            return true;
          }
        }
        return false;
    }
  }

  int size() {
    return type == EntryType.IP_ADDRESSES ? networks.size() : type == EntryType.REGEX ? patterns.size() : strings.size();
  }

  static String text(Object value) {
    return value instanceof InetAddress a ? a.getHostAddress() : String.valueOf(value);
  }

  private static boolean inNetwork(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[full] & mask) == (network[full] & mask);
  }
}
