package io.mizzen.kernel.config;

import io.mizzen.spi.config.kube.KubernetesService;
import io.mizzen.spi.config.networking.Gateway;
import io.mizzen.spi.config.networking.Port;
import io.mizzen.spi.config.networking.Server;
import io.mizzen.spi.config.networking.ServerTlsSettings;
import io.mizzen.spi.config.networking.ServiceEntry;
import io.mizzen.spi.config.networking.Sidecar;
import io.mizzen.spi.config.networking.WorkloadEntry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The checks of kinds that declare ports: Gateway, ServiceEntry, Sidecar and Kubernetes Service. */
final class ListenerChecks {
  static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "MONGO", "MYSQL",
      "REDIS", "TCP", "TLS", "UDP");

  private ListenerChecks() {}

  /**
   * Whether {@code text} is an IPv4 or IPv6 literal with an optional prefix length in range, as
   * the proxy reads a CIDR. Never resolves a name.
   */
  static boolean ipOrCidr(String text) {
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    int bits;
    if (ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String octet : ip.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      bits = 32;
    } else if (ip.contains(":") && ip.matches("[0-9a-fA-F:.]+")) {
      try {
        // With a ':' in it, InetAddress parses the literal and never looks the text up.
        InetAddress.getByName(ip);
      } catch (UnknownHostException e) {
        return false;
      }
      bits = 128;
    } else {
      return false;
    }
    return slash < 0 || (text.substring(slash + 1).matches("\\d{1,3}") && Integer.parseInt(text.substring(slash + 1)) <= bits);
  }

  static void gateway(Gateway gw, Findings f) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < gw.servers().size(); i++) {
      Server s = gw.servers().get(i);
      String p = "spec.servers[" + i + "]";
      port(s.port(), p + ".port", f);
      named(s.port(), p + ".port", f);
      if (s.port() != null && s.port().name() != null && !names.add(s.port().name())) {
        f.error(p + ".port.name", "port name '" + s.port().name() + "' is used twice");
      }
      for (int h = 0; h < s.hosts().size(); h++) {
        String host = s.hosts().get(h);
        String bare = host.contains("/") ? host.substring(host.indexOf('/') + 1) : host;
        VirtualServiceChecks.host(bare, p + ".hosts[" + h + "]", f);
      }
      ServerTlsSettings tls = s.tls();
      String protocol = s.port() == null || s.port().protocol() == null ? "" : s.port().protocol().toUpperCase(Locale.ROOT);
      if ((protocol.equals("HTTPS") || protocol.equals("TLS")) && tls == null) {
        f.error(p + ".tls", "a " + protocol + " server needs tls settings");
      }
      if (tls != null && tls.mode() != null && (tls.mode() == ServerTlsSettings.Mode.SIMPLE || tls.mode() == ServerTlsSettings.Mode.MUTUAL)
          && tls.credentialName() == null && (tls.serverCertificate() == null || tls.privateKey() == null)) {
        f.error(p + ".tls", tls.mode() + " needs serverCertificate and privateKey (or credentialName)");
      }
      if (tls != null && tls.mode() == ServerTlsSettings.Mode.MUTUAL && tls.credentialName() == null && tls.caCertificates() == null) {
        f.error(p + ".tls.caCertificates", "MUTUAL needs caCertificates to verify clients with");
      }
    }
  }

  static void serviceEntry(ServiceEntry se, Findings f) {
    for (int i = 0; i < se.hosts().size(); i++) {
      String h = se.hosts().get(i);
      if (h.equals("*")) {
        f.error("spec.hosts[" + i + "]", "a ServiceEntry host cannot be '*'");
      }
    }
    VirtualServiceChecks.hosts(se.hosts(), "spec.hosts", f);
    VirtualServiceChecks.exportTo(se.exportTo(), f);
    for (int i = 0; i < se.addresses().size(); i++) {
      if (!ipOrCidr(se.addresses().get(i))) {
        f.error("spec.addresses[" + i + "]", "invalid address '" + se.addresses().get(i) + "': expected an IP or a CIDR");
      }
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < se.ports().size(); i++) {
      Port port = se.ports().get(i);
      port(port, "spec.ports[" + i + "]", f);
      named(port, "spec.ports[" + i + "]", f);
      if (port.name() != null && !names.add(port.name())) {
        f.error("spec.ports[" + i + "].name", "port name '" + port.name() + "' is used twice");
      }
    }
    if (se.resolution() == ServiceEntry.Resolution.STATIC && se.endpoints().isEmpty() && se.workloadSelector() == null) {
      f.error("spec.endpoints", "resolution STATIC needs endpoints");
    }
    for (int i = 0; i < se.endpoints().size(); i++) {
      WorkloadEntry e = se.endpoints().get(i);
      String p = "spec.endpoints[" + i + "]";
      for (Map.Entry<String, Integer> ep : e.ports().entrySet()) {
        f.port(p + ".ports." + ep.getKey(), ep.getValue());
        if (!names.contains(ep.getKey())) {
          f.error(p + ".ports." + ep.getKey(), "no port of the entry is named '" + ep.getKey() + "'");
        }
      }
      if (se.resolution() == ServiceEntry.Resolution.STATIC && e.address() != null && !e.address().startsWith("unix://")
          && !e.address().matches("[0-9a-fA-F:.]+")) {
        f.error(p + ".address", "resolution STATIC needs an IP address, got '" + e.address() + "'");
      }
    }
  }

  static void sidecar(Sidecar sc, Findings f) {
    for (int i = 0; i < sc.ingress().size(); i++) {
      Sidecar.IngressListener in = sc.ingress().get(i);
      String p = "spec.ingress[" + i + "]";
      port(in.port(), p + ".port", f);
      if (in.defaultEndpoint() != null && !in.defaultEndpoint().matches("(127\\.0\\.0\\.1|0\\.0\\.0\\.0):[0-9]+|unix://.+")) {
        f.error(p + ".defaultEndpoint", "defaultEndpoint must be 127.0.0.1:PORT, 0.0.0.0:PORT or unix://PATH");
      }
    }
    if (sc.egress().isEmpty() && !sc.ingress().isEmpty()) {
      f.warn("spec.egress", "no egress listener: this sidecar reaches no service");
    }
    for (int i = 0; i < sc.egress().size(); i++) {
      Sidecar.EgressListener eg = sc.egress().get(i);
      String p = "spec.egress[" + i + "]";
      if (eg.port() != null) {
        port(eg.port(), p + ".port", f);
      }
      for (int h = 0; h < eg.hosts().size(); h++) {
        String host = eg.hosts().get(h);
        int slash = host.indexOf('/');
        if (slash <= 0 || slash == host.length() - 1) {
          f.error(p + ".hosts[" + h + "]", "egress host must be namespace/host ('*/reviews', './*'), got '" + host + "'");
        }
      }
    }
  }

  static void kubernetesService(KubernetesService svc, Findings f) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < svc.ports().size(); i++) {
      KubernetesService.ServicePortSpec sp = svc.ports().get(i);
      String p = "spec.ports[" + i + "]";
      f.port(p + ".port", sp.port());
      if (sp.targetPort() != null && sp.targetPort().isNumber()) {
        f.port(p + ".targetPort", sp.targetPort().number());
      }
      if (svc.ports().size() > 1 && sp.name() == null) {
        f.error(p + ".name", "a Service with several ports must name each");
      }
      if (sp.name() != null && !names.add(sp.name())) {
        f.error(p + ".name", "port name '" + sp.name() + "' is used twice");
      }
    }
  }

  /** Istio names every Gateway and ServiceEntry port: stats and port-level policies refer to it. */
  private static void named(Port port, String p, Findings f) {
    if (port != null && (port.name() == null || port.name().isBlank())) {
      f.error(p + ".name", "port name must be set");
    }
  }

  private static void port(Port port, String p, Findings f) {
    if (port == null) {
      return;
    }
    f.port(p + ".number", port.number());
    if (port.protocol() != null && !PROTOCOLS.contains(port.protocol().toUpperCase(Locale.ROOT))) {
      f.error(p + ".protocol", "unknown protocol '" + port.protocol() + "' (known: "
          + String.join(", ", PROTOCOLS.stream().sorted().toList()) + ")");
    }
  }
}
