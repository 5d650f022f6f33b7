package io.mizzen.proxy.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@link OriginalDestination} over a table in {@code /proc/net/nf_conntrack}'s format. A REDIRECT
 * leaves one entry per connection whose first tuple is what the client sent
 * ({@code src=client dst=original sport=c dport=original}) and whose reply tuple starts at the
 * proxy ({@code src=proxy address sport=listener port}); the accepted socket sees exactly the
 * client's address and the proxy's, so matching those four fields finds the original.
 *
 * <p>The table is read line by line on each lookup (it holds one line per tracked connection of
 * this namespace only: a pod's few hundred at most), so no stale copy is ever consulted.
 */
final class ConntrackTable implements OriginalDestination {
  private final Path table;

  ConntrackTable(Path table) {
    this.table = table;
  }

  @Override
  public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
    if (!Files.isReadable(table)) {
      return Optional.empty();
    }
    try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Optional<InetSocketAddress> found = match(line, peer, local);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the conntrack table " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String unavailableReason() {
    if (Files.isReadable(table)) {
      return null;
    }
    return table + " is not readable (load the nf_conntrack module, and the kernel needs "
        + "CONFIG_NF_CONNTRACK_PROCFS): captured connections are routed by their Host header "
        + "(outbound) and delivered to the configured app port (inbound)";
  }

  /**
   * The original destination in one table line when its tuples are {@code peer → x} and
   * {@code local → peer}, else empty. Only TCP entries are considered; a line of another shape
   * (a protocol without ports, a truncated line) simply does not match.
   */
  static Optional<InetSocketAddress> match(String line, InetSocketAddress peer, InetSocketAddress local) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 4 || !"tcp".equals(f[2])) {
      return Optional.empty();
    }
    String[] original = new String[4];
    String[] reply = new String[4];
    for (String field : f) {
      int eq = field.indexOf('=');
      if (eq < 0) {
        continue;
      }
      int slot = switch (field.substring(0, eq)) {
        case "src" -> 0;
        case "dst" -> 1;
        case "sport" -> 2;
        case "dport" -> 3;
        default -> -1;
      };
      if (slot < 0) {
        continue;
      }
      // The first src/dst/sport/dport belong to the original tuple, the second to the reply.
      String[] tuple = original[slot] == null ? original : reply;
      if (tuple[slot] == null) {
        tuple[slot] = field.substring(eq + 1);
      }
    }
    for (int i = 0; i < 4; i++) {
      if (original[i] == null || reply[i] == null) {
        return Optional.empty();
      }
    }
    if (!samePort(original[2], peer.getPort()) || !samePort(reply[2], local.getPort())
        || !sameAddress(original[0], peer.getAddress()) || !sameAddress(reply[0], local.getAddress())) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(original[3]);
      // Literals only: getByName never resolves a name here.
      return Optional.of(new InetSocketAddress(InetAddress.getByName(original[1]), port));
    } catch (NumberFormatException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static boolean samePort(String text, int port) {
    return text.equals(Integer.toString(port));
  }

  private static boolean sameAddress(String text, InetAddress address) {
    if (address == null) {
      return false;
    }
    if (text.equals(address.getHostAddress())) {
      return true;
    }
    if (text.indexOf(':') < 0) {
      return false;
    }
    try {
      // IPv6 is printed in full (0000:...); compare as addresses, not as text.
      return InetAddress.getByName(text).equals(address);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "conntrack table " + table;
  }
}
