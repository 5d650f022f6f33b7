package io.mizzen.proxy.capture;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a captured connection was going before iptables redirected it to the proxy.
 *
 * <p>{@link #lookup} reads a kernel table: it is file I/O, so a listener calls it through
 * {@code executeBlocking} (or once per connection from a worker), never on an event loop.
 */
public interface OriginalDestination {

  /** The table Linux keeps for this process's network namespace. */
  Path PROC_CONNTRACK = Path.of("/proc/net/nf_conntrack");

  /**
   * The original destination of the accepted connection {@code peer → local}.
   *
   * @param peer the accepted socket's remote address (the client as it connected)
   * @param local the accepted socket's local address (the proxy's listener, after the redirect)
   * @return the address the client dialled, or empty when the connection was not redirected
   *     (the client dialled the listener itself) or the table does not know it
   * @throws java.io.UncheckedIOException when the table exists but cannot be read
   */
  Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local);

  /**
   * Null when lookups can work here, else why not (the sentence names the missing table and
   * what the listeners do instead), for the proxy to log once at start.
   */
  String unavailableReason();

  /** From {@link #PROC_CONNTRACK}, the table of this process's network namespace. */
  static OriginalDestination conntrack() {
    return conntrack(PROC_CONNTRACK);
  }

  /** From a conntrack table in {@code /proc/net/nf_conntrack}'s format at {@code table}. */
  static OriginalDestination conntrack(Path table) {
    return new ConntrackTable(table);
  }

  /** Nothing is ever known: the listeners use the Host header and the configured app port. */
  static OriginalDestination none() {
    return new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        return Optional.empty();
      }

      @Override
      public String unavailableReason() {
        return "original-destination lookup is off";
      }
    };
  }
}
