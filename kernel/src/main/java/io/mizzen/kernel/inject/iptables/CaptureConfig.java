package io.mizzen.kernel.inject.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What to capture, as istio-iptables' flags say it. Lists are already split; an include list
 * holding only {@code *} means everything.
 *
 * @param proxyPort             where outbound TCP is redirected (-p, 15001)
 * @param inboundCapturePort    where inbound TCP is redirected (-z, 15006)
 * @param proxyUid              the proxy's uid, whose traffic is never redirected (-u, 1337)
 * @param proxyGid              the proxy's gid, likewise (-g, defaults to the uid)
 * @param mode                  REDIRECT, or NONE for no rules (-m)
 * @param includeInboundPorts   inbound ports to capture, or {@code *} (-b)
 * @param excludeInboundPorts   inbound ports left alone when all are captured (-d)
 * @param excludeOutboundPorts  outbound destination ports left alone (-o)
 * @param includeOutboundCidrs  outbound destination ranges to capture, or {@code *} (-i)
 * @param excludeOutboundCidrs  outbound destination ranges left alone (-x)
 * @param ipv6                  also capture IPv6 with ip6tables (--ipv6); IPv6 ranges need it
 */
public record CaptureConfig(int proxyPort, int inboundCapturePort, int proxyUid, int proxyGid, String mode,
    List<String> includeInboundPorts, List<String> excludeInboundPorts, List<String> excludeOutboundPorts,
    List<String> includeOutboundCidrs, List<String> excludeOutboundCidrs, boolean ipv6) {

  public static final String ALL = "*";
  private static final Pattern IPV6_CIDR = Pattern.compile("^[0-9A-Fa-f:.]+(/(\\d{1,3}))?$");
  private static final Pattern IPV4_CIDR =
      Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/(\\d{1,2}))?$");

  public CaptureConfig {
    includeInboundPorts = List.copyOf(includeInboundPorts);
    excludeInboundPorts = List.copyOf(excludeInboundPorts);
    excludeOutboundPorts = List.copyOf(excludeOutboundPorts);
    includeOutboundCidrs = List.copyOf(includeOutboundCidrs);
    excludeOutboundCidrs = List.copyOf(excludeOutboundCidrs);
    List<String> errors = validate(proxyPort, inboundCapturePort, proxyUid, proxyGid, mode, includeInboundPorts,
        excludeInboundPorts, excludeOutboundPorts, includeOutboundCidrs, excludeOutboundCidrs, ipv6);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  /** Splits a flag's comma-separated value; blank gives an empty list. */
  public static List<String> split(String value) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String s : value.split(",")) {
        if (!s.isBlank()) {
          out.add(s.strip());
        }
      }
    }
    return out;
  }

  /** A range is IPv6 when it has a colon; everything else is read as IPv4. */
  static boolean isIpv6(String cidr) {
    return cidr.contains(":");
  }

  private static boolean ipv6Literal(String cidr) {
    String[] parts = cidr.split("/", 2);
    if (parts.length == 2 && Integer.parseInt(parts[1]) > 128) {
      return false;
    }
    try {
      // A literal with a colon is parsed, never looked up in DNS.
      return java.net.InetAddress.getByName(parts[0]) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  boolean capturesAllInbound() {
    return includeInboundPorts.contains(ALL);
  }

  boolean capturesAllOutbound() {
    return includeOutboundCidrs.contains(ALL);
  }

  /** Every problem at once, each naming its flag, so a bad annotation is fixed in one go. */
  private static List<String> validate(int proxyPort, int inboundPort, int uid, int gid, String mode,
      List<String> inInclude, List<String> inExclude, List<String> outExcludePorts,
      List<String> outInclude, List<String> outExclude, boolean ipv6) {
    List<String> errors = new ArrayList<>();
    port("-p (proxy port)", String.valueOf(proxyPort), errors);
    port("-z (inbound capture port)", String.valueOf(inboundPort), errors);
    if (uid < 0) {
      errors.add("-u (proxy uid): must not be negative, got " + uid);
    }
    if (gid < 0) {
      errors.add("-g (proxy gid): must not be negative, got " + gid);
    }
    if (!"REDIRECT".equals(mode) && !"NONE".equals(mode)) {
      errors.add("-m (interception mode): '" + mode + "' is not supported; use REDIRECT or NONE"
          + ("TPROXY".equals(mode) ? " (TPROXY is not implemented yet)" : ""));
    }
    ports("-b (include inbound ports)", inInclude, true, errors);
    ports("-d (exclude inbound ports)", inExclude, false, errors);
    ports("-o (exclude outbound ports)", outExcludePorts, false, errors);
    cidrs("-i (include outbound IP ranges)", outInclude, true, ipv6, errors);
    cidrs("-x (exclude outbound IP ranges)", outExclude, false, ipv6, errors);
    return errors;
  }

  private static void ports(String flag, List<String> values, boolean wildcard, List<String> errors) {
    for (String v : values) {
      if (wildcard && v.equals(ALL)) {
        if (values.size() > 1) {
          errors.add(flag + ": '*' cannot be combined with other ports");
        }
        continue;
      }
      port(flag, v, errors);
    }
  }

  private static void port(String flag, String v, List<String> errors) {
    if (!v.matches("\\d{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
      errors.add(flag + ": '" + v + "' is not a port in 1..65535");
    }
  }

  private static void cidrs(String flag, List<String> values, boolean wildcard, boolean ipv6, List<String> errors) {
    for (String v : values) {
      if (wildcard && v.equals(ALL)) {
        if (values.size() > 1) {
          errors.add(flag + ": '*' cannot be combined with other ranges");
        }
        continue;
      }
      if (isIpv6(v)) {
        if (!ipv6) {
          errors.add(flag + ": '" + v + "' is IPv6; add --ipv6 to capture IPv6 as well");
        } else if (!IPV6_CIDR.matcher(v).matches() || !ipv6Literal(v)) {
          errors.add(flag + ": '" + v + "' is not an IPv6 address or CIDR range");
        }
        continue;
      }
      var m = IPV4_CIDR.matcher(v);
      boolean ok = m.matches();
      for (int g = 1; ok && g <= 4; g++) {
        ok = Integer.parseInt(m.group(g)) <= 255;
      }
      if (ok && m.group(6) != null) {
        ok = Integer.parseInt(m.group(6)) <= 32;
      }
      if (!ok) {
        errors.add(flag + ": '" + v + "' is not an IPv4 address or CIDR range");
      }
    }
  }
}
