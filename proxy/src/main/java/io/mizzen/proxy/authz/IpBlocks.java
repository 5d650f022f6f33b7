package io.mizzen.proxy.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * CIDR blocks ({@code 10.0.0.0/8}) and single addresses, IPv4 or IPv6, literals only: for
 * authorization policies' ipBlocks and for TCP routes' subnets alike.
 */
public final class IpBlocks {
  private IpBlocks() {}

  /**
   * Checks a block written in a policy or a route.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static void validate(String block) {
    int slash = block.indexOf('/');
    byte[] base = literal(slash < 0 ? block : block.substring(0, slash), block);
    if (slash >= 0) {
      int bits;
      try {
        bits = Integer.parseInt(block.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + block + "' has no prefix length after '/'");
      }
      if (bits < 0 || bits > base.length * 8) {
        throw new IllegalArgumentException("'" + block + "': prefix length " + bits + " is out of range 0-" + base.length * 8);
      }
    }
  }

  /** Whether {@code ip} (a literal; anything else is in no block) lies in {@code block}. */
  public static boolean contains(String block, String ip) {
    if (ip == null || ip.isEmpty()) {
      return false;
    }
    byte[] addr;
    try {
      addr = literal(ip, ip);
    } catch (IllegalArgumentException e) {
      // A source that is not an address literal is in no block.
      return false;
    }
    int slash = block.indexOf('/');
    byte[] base = literal(slash < 0 ? block : block.substring(0, slash), block);
    int bits = slash < 0 ? base.length * 8 : Integer.parseInt(block.substring(slash + 1));
    if (base.length != addr.length) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((base[i / 8] & mask) != (addr[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] literal(String text, String whole) {
    // Only literals: InetAddress.getByName would resolve a name, a blocking DNS look-up.
    boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = text.contains(":") && text.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      throw new IllegalArgumentException("'" + whole + "' is not an IP address or CIDR block");
    }
    if (v4) {
      for (String octet : text.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          throw new IllegalArgumentException("'" + whole + "': " + octet + " is not an IPv4 octet");
        }
      }
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + whole + "' is not an IP address or CIDR block", e);
    }
  }
}
