package io.mizzen.spi;

import io.vertx.core.Future;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * A long-running part of a role: the proxy, the Pilot push server, the Citadel CA server, the
 * Mixer server, the sidecar agent. The kernel starts every function that serves the role it was
 * asked to play, in ascending {@link #order()}, and stops them in reverse.
 */
public interface MeshFunction extends ExtensionPoint {

  /** A short unique name, such as {@code proxy} or {@code pilot}. */
  String name();

  /** The roles this function serves. */
  Set<Role> roles();

  /** Start order among the functions of a role; lower starts earlier. Default 100. */
  default int order() {
    return 100;
  }

  /**
   * Starts serving.
   *
   * @return a Future completed once the function is serving (ports bound, first state loaded),
   *     or failed with the reason it cannot serve; a failed start aborts the role's boot
   */
  Future<Void> start(MeshContext context);

  /**
   * Stops serving, draining in-flight work within the function's own grace period.
   *
   * @return a Future completed once the function holds no more resources; a failure is logged
   *     and the kernel goes on stopping the others
   */
  Future<Void> stop();

  /**
   * Whether the function is ready to serve (for {@code /healthz/ready}). A proxy is not ready
   * before its first config is in.
   */
  default boolean ready() {
    return true;
  }
}
