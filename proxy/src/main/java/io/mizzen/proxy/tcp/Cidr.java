package io.mizzen.proxy.tcp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** CIDR blocks ({@code 10.0.0.0/8}) and single addresses, IPv4 or IPv6 literals. */
final class Cidr {
  private Cidr() {}

  /**
   * Checks a block written in a route.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static void validate(String block) {
    int slash = block.indexOf('/');
    byte[] base = literal(slash < 0 ? block : block.substring(0, slash), block);
    if (slash >= 0) {
      int bits = bits(block, slash);
      if (bits < 0 || bits > base.length * 8) {
        throw new IllegalArgumentException("'" + block + "': prefix length " + bits + " is out of range 0-" + base.length * 8);
      }
    }
  }

  static boolean contains(String block, String ip) {
    if (ip == null || ip.isEmpty()) {
      return false;
    }
    byte[] addr;
    try {
      addr = literal(ip, ip);
    } catch (IllegalArgumentException e) {
      // Not an address literal (an unresolved name): in no block.
      return false;
    }
    int slash = block.indexOf('/');
    byte[] base = literal(slash < 0 ? block : block.substring(0, slash), block);
    if (base.length != addr.length) {
      return false;
    }
    int bits = slash < 0 ? base.length * 8 : bits(block, slash);
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((base[i / 8] & mask) != (addr[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static int bits(String block, int slash) {
    try {
      return Integer.parseInt(block.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + block + "' has no prefix length after '/'");
    }
  }

  private static byte[] literal(String text, String whole) {
    // Only literals: InetAddress would otherwise resolve a name, which blocks.
    if (text.isEmpty() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
      throw new IllegalArgumentException("'" + whole + "' is not an IP address or CIDR block");
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + whole + "' is not an IP address or CIDR block");
    }
  }
}
