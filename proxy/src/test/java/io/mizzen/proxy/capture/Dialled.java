package io.mizzen.proxy.capture;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Supplier;

/** Stand-ins for a pod's conntrack table in tests: the address a captured connection was dialled to. */
public final class Dialled {
  private Dialled() {}

  /** Every connection was dialled to {@code address}. */
  public static OriginalDestination to(InetSocketAddress address) {
    return by(() -> address);
  }

  /** A connection was dialled to what {@code address} gives when it is looked up; null: not captured. */
  public static OriginalDestination by(Supplier<InetSocketAddress> address) {
    return new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        return Optional.ofNullable(address.get());
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    };
  }
}
