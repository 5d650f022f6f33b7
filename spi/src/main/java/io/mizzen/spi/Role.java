package io.mizzen.spi;

/** The roles one Mizzen binary can play; a {@link MeshFunction} says which it serves. */
public enum Role {
  /** Config store, discovery, Pilot push, Citadel CA and Mixer servers. */
  CONTROL_PLANE,
  /** The agent and proxy beside one workload. */
  SIDECAR,
  /** The agent and proxy at the mesh's edge, bound to Gateway resources, inbound. */
  INGRESS,
  /** The agent and proxy at the mesh's edge, outbound. */
  EGRESS;

  /** The CLI spelling: {@code control-plane}, {@code sidecar}, … */
  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
