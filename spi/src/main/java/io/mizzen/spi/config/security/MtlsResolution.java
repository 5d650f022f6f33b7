package io.mizzen.spi.config.security;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.networking.PortSelector;
import io.mizzen.spi.config.security.PeerAuthentication.Mode;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@link PeerAuthenticationModes} over bound PeerAuthentication, MeshPolicy and Policy resources. */
final class MtlsResolution implements PeerAuthenticationModes {
  private record Peer(String ref, String namespace, PeerAuthentication spec) {
    boolean selective() {
      return spec.selector() != null && spec.selector().matchLabels() != null && !spec.selector().matchLabels().isEmpty();
    }
  }

  private record Legacy(String ref, String kind, String namespace, AuthenticationPolicy spec) {
    /** The v1alpha1 policy's mode: its first mtls peer method decides; no mtls peer means DISABLE. */
    Mode mode() {
      if (spec.peers() != null) {
        for (AuthenticationPolicy.PeerMethod m : spec.peers()) {
          if (m.mtls() != null || isBareMtls(m)) {
            AuthenticationPolicy.MutualTls t = m.mtls();
            boolean permissive = Boolean.TRUE.equals(spec.peerIsOptional())
                || (t != null && (t.mode() == AuthenticationPolicy.MutualTls.Mode.PERMISSIVE || Boolean.TRUE.equals(t.allowTls())));
            return permissive ? Mode.PERMISSIVE : Mode.STRICT;
          }
        }
      }
      return Mode.DISABLE;
    }

    private static boolean isBareMtls(AuthenticationPolicy.PeerMethod m) {
      // `- mtls:` with no value binds to a method with neither field set.
      return m.mtls() == null && m.jwt() == null;
    }
  }

  private final List<Peer> peers;
  private final List<Legacy> legacy;
  private final String rootNamespace;

  private MtlsResolution(List<Peer> peers, List<Legacy> legacy, String rootNamespace) {
    this.peers = peers;
    this.legacy = legacy;
    this.rootNamespace = rootNamespace;
  }

  static MtlsResolution compile(Collection<Resource> resources, String rootNamespace) {
    List<String> errors = new ArrayList<>();
    List<Peer> peers = new ArrayList<>();
    List<Legacy> legacy = new ArrayList<>();
    for (Resource r : resources) {
      String where = (r.location() == null ? "" : r.location().origin() + ": ") + r.kind() + " " + r.namespace() + "/" + r.name();
      if (r.group().equals("security.istio.io") && r.kind().equals("PeerAuthentication")) {
        Bound<PeerAuthentication> b = SecurityModel.bind(r, PeerAuthentication.class);
        b.errors().forEach(e -> errors.add(where + ": " + e.field() + ": " + e.message()));
        if (b.errors().isEmpty()) {
          Peer p = new Peer(r.kind() + " " + r.namespace() + "/" + r.name(), r.namespace(), b.value());
          if (p.spec().portLevelMtls() != null) {
            for (String port : p.spec().portLevelMtls().keySet()) {
              if (!port.matches("\\d{1,5}")) {
                errors.add(where + ": spec.portLevelMtls: key '" + port + "' is not a port number");
              }
            }
            if (!p.selective() && !p.spec().portLevelMtls().isEmpty()) {
              errors.add(where + ": spec.portLevelMtls needs a selector (Istio ignores port-level modes namespace- or mesh-wide)");
            }
          }
          peers.add(p);
        }
      } else if (r.group().equals("authentication.istio.io") && (r.kind().equals("Policy") || r.kind().equals("MeshPolicy"))) {
        Bound<AuthenticationPolicy> b = SecurityModel.bind(r, AuthenticationPolicy.class);
        b.errors().forEach(e -> errors.add(where + ": " + e.field() + ": " + e.message()));
        if (b.errors().isEmpty()) {
          // MeshPolicy is cluster-scoped: whatever namespace the loader gave it, it is mesh-wide.
          String ns = r.kind().equals("MeshPolicy") ? rootNamespace : r.namespace();
          legacy.add(new Legacy(r.kind() + " " + r.namespace() + "/" + r.name(), r.kind(), ns, b.value()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid peer authentication:\n  " + String.join("\n  ", errors));
    }
    // Istio picks the oldest among rivals; without creation times, name order keeps it stable.
    peers.sort(Comparator.comparing(Peer::ref));
    legacy.sort(Comparator.comparing(Legacy::ref));
    return new MtlsResolution(List.copyOf(peers), List.copyOf(legacy), rootNamespace);
  }

  @Override
  public Effective explain(WorkloadInfo w, int workloadPort, Collection<ServicePort> servicePorts) {
    Effective found = new Effective(Mode.PERMISSIVE, "default");
    // From the widest scope to the narrowest; each set mode overrides the one before.
    found = override(found, meshLevel());
    found = override(found, namespaceLevel(w));
    found = override(found, workloadLevel(w, workloadPort, servicePorts));
    return found;
  }

  private static Effective override(Effective current, Effective narrower) {
    return narrower == null || narrower.mode() == Mode.UNSET ? current : narrower;
  }

  private Effective meshLevel() {
    for (Peer p : peers) {
      if (p.namespace().equals(rootNamespace) && !p.selective()) {
        return new Effective(mode(p.spec().mtls()), p.ref());
      }
    }
    for (Legacy l : legacy) {
      if (l.kind().equals("MeshPolicy") && untargeted(l)) {
        return new Effective(l.mode(), l.ref());
      }
    }
    return null;
  }

  private Effective namespaceLevel(WorkloadInfo w) {
    if (w.namespace().equals(rootNamespace)) {
      return null;
    }
    for (Peer p : peers) {
      if (p.namespace().equals(w.namespace()) && !p.selective()) {
        return new Effective(mode(p.spec().mtls()), p.ref());
      }
    }
    for (Legacy l : legacy) {
      if (l.kind().equals("Policy") && l.namespace().equals(w.namespace()) && untargeted(l)) {
        return new Effective(l.mode(), l.ref());
      }
    }
    return null;
  }

  private Effective workloadLevel(WorkloadInfo w, int port, Collection<ServicePort> servicePorts) {
    for (Peer p : peers) {
      if (p.namespace().equals(w.namespace()) && p.selective() && w.labels().entrySet().containsAll(p.spec().selector().matchLabels().entrySet())) {
        Map<String, PeerAuthentication.MutualTls> ports = p.spec().portLevelMtls() == null ? Map.of() : p.spec().portLevelMtls();
        PeerAuthentication.MutualTls atPort = ports.get(Integer.toString(port));
        if (atPort != null && mode(atPort) != Mode.UNSET) {
          return new Effective(mode(atPort), p.ref() + ", port " + port);
        }
        return new Effective(mode(p.spec().mtls()), p.ref());
      }
    }
    for (Legacy l : legacy) {
      if (l.kind().equals("Policy") && l.namespace().equals(w.namespace()) && l.spec().targets() != null) {
        for (AuthenticationPolicy.TargetSelector t : l.spec().targets()) {
          ServicePort selected = selectedPort(t.ports(), servicePorts);
          if (t.name().equals(w.service()) && (t.ports() == null || t.ports().isEmpty() || selected != null)) {
            return new Effective(l.mode(), selected == null ? l.ref() : l.ref() + ", service port " + label(selected));
          }
        }
      }
    }
    return null;
  }

  /**
   * The service port a target's {@code ports} select among {@code servicePorts}, by number or by
   * name; null when they select none of them (or list none).
   */
  private static ServicePort selectedPort(List<PortSelector> ports, Collection<ServicePort> servicePorts) {
    if (ports == null) {
      return null;
    }
    for (PortSelector selector : ports) {
      for (ServicePort p : servicePorts) {
        if ((selector.number() != null && selector.number() == p.port())
            || (selector.name() != null && !selector.name().isEmpty() && selector.name().equals(p.name()))) {
          return p;
        }
      }
    }
    return null;
  }

  private static String label(ServicePort p) {
    return p.name().isEmpty() ? Integer.toString(p.port()) : p.port() + " (" + p.name() + ")";
  }

  private static boolean untargeted(Legacy l) {
    return l.spec().targets() == null || l.spec().targets().isEmpty();
  }

  private static Mode mode(PeerAuthentication.MutualTls mtls) {
    return mtls == null || mtls.mode() == null ? Mode.UNSET : mtls.mode();
  }
}
