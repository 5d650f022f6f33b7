package io.mizzen.it.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Network namespaces made for one test run and nothing else: a "hub" namespace holding a bridge,
 * and one namespace per pod joined to it by a veth pair, each pod with its own address on
 * {@value #SUBNET}.0/24. The host's interfaces, routes and iptables are never touched: every
 * {@code ip} call names a namespace of this run. {@link #close} (also run by a shutdown hook if
 * the JVM dies first) stops the processes started here and deletes the namespaces and their
 * {@code /etc/netns/<name>} folders.
 */
final class NetnsLab implements AutoCloseable {
  static final String SUBNET = "10.251.0";

  private final String prefix = "mz-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  private final List<String> namespaces = new ArrayList<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::cleanUp, "netns-lab-cleanup");
  private int nextHost = 2;
  private boolean closed;
  private boolean createdEtcNetns;
  private static final Path ETC_NETNS = Path.of("/etc/netns");

  /**
   * Null when this machine can run the lab, else the reason it cannot (for a JUnit assumption):
   * not root, a program missing, namespaces not allowed, no nat table, veth or bridge inside one.
   */
  static String unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "netns capture test skipped: it needs root (to create network namespaces and nat rules); running as "
          + System.getProperty("user.name");
    }
    Map<String, String> packages = Map.of("ip", "iproute2", "iptables", "iptables", "curl", "curl", "setpriv", "util-linux");
    for (String program : List.of("ip", "iptables", "curl", "setpriv")) {
      if (!Shell.onPath(program)) {
        return "netns capture test skipped: '" + program + "' is not on PATH (Debian: apt-get install "
            + packages.get(program) + ")";
      }
    }
    String probe = "mz-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    Shell.Result add = Shell.run("ip", "netns", "add", probe);
    if (!add.ok()) {
      return "netns capture test skipped: 'ip netns add' is not allowed here: " + add.output().strip();
    }
    try {
      Shell.Result nat = Shell.run(Shell.in(probe, "iptables", "-t", "nat", "-S"));
      if (!nat.ok()) {
        return "netns capture test skipped: no iptables nat table inside a network namespace: " + nat.output().strip();
      }
      Shell.Result veth = Shell.run("ip", "-n", probe, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
      if (!veth.ok()) {
        return "netns capture test skipped: cannot create a veth pair (veth kernel module): " + veth.output().strip();
      }
      Shell.Result bridge = Shell.run("ip", "-n", probe, "link", "add", "br0", "type", "bridge");
      if (!bridge.ok()) {
        return "netns capture test skipped: cannot create a bridge (bridge kernel module): " + bridge.output().strip();
      }
      return null;
    } finally {
      Shell.run("ip", "netns", "del", probe);
    }
  }

  NetnsLab() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The bridge namespace, with the first address of the subnet on the bridge. */
  String hub() {
    String hub = prefix + "-hub";
    if (!namespaces.contains(hub)) {
      create(hub);
      ip(hub, "link", "add", "br0", "type", "bridge");
      ip(hub, "addr", "add", SUBNET + ".1/24", "dev", "br0");
      ip(hub, "link", "set", "br0", "up");
      addresses.put(hub, SUBNET + ".1");
    }
    return hub;
  }

  /** A pod namespace joined to the hub's bridge; returns its name ({@link #address} gives its address). */
  String pod(String name) {
    String hub = hub();
    String ns = prefix + "-" + name;
    create(ns);
    String address = SUBNET + "." + nextHost++;
    String port = "to-" + name;
    // Created inside the hub namespace, the pod's end moved straight into the pod: neither end
    // ever exists in the host's namespace.
    ip(hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip(hub, "link", "set", port, "master", "br0");
    ip(hub, "link", "set", port, "up");
    ip(ns, "addr", "add", address + "/24", "dev", "eth0");
    ip(ns, "link", "set", "eth0", "up");
    // Service addresses (the cluster IPs of this lab) live on the subnet but on no interface; a
    // default route through the hub lets the app dial them so iptables can capture the connection.
    ip(ns, "route", "add", "default", "via", SUBNET + ".1");
    addresses.put(ns, address);
    return ns;
  }

  String address(String ns) {
    return addresses.get(ns);
  }

  /**
   * Names resolved inside {@code ns} (as the cluster DNS would): {@code ip netns exec} mounts
   * {@code /etc/netns/<ns>/hosts} over {@code /etc/hosts} for the commands it runs.
   */
  void hosts(String ns, Map<String, String> names) throws IOException {
    StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
    names.forEach((name, address) -> text.append(address).append(' ').append(name).append('\n'));
    if (!Files.exists(ETC_NETNS)) {
      createdEtcNetns = true;
    }
    Path dir = Files.createDirectories(ETC_NETNS.resolve(ns));
    Files.writeString(dir.resolve("hosts"), text);
  }

  /** Starts {@code command} in {@code ns}, its output to {@code log}; stopped by {@link #close}. */
  Process start(String ns, List<String> command, Path log, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Shell.in(ns, command.toArray(String[]::new)))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  private void create(String ns) {
    Shell.run("ip", "netns", "add", ns).checked();
    namespaces.add(ns);
    ip(ns, "link", "set", "lo", "up");
  }

  private static void ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    Shell.run(cmd).checked();
  }

  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run: nothing left to unregister.
    }
  }

  private synchronized void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    List<Process> running;
    synchronized (processes) {
      running = new ArrayList<>(processes);
    }
    // SIGTERM first, so the sidecars deregister and drain; then whatever is left goes.
    running.forEach(Process::destroy);
    for (Process p : running) {
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    // Deleting a namespace removes its veth ends, bridge and nat rules with it.
    for (String ns : namespaces) {
      Shell.run("ip", "netns", "del", ns);
      Path etc = ETC_NETNS.resolve(ns);
      if (Files.exists(etc)) {
        try (Stream<Path> walk = Files.walk(etc)) {
          walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          System.err.println("netns lab: could not remove " + etc + ": " + e.getMessage());
        }
      }
    }
    if (createdEtcNetns) {
      try (Stream<Path> left = Files.list(ETC_NETNS)) {
        if (left.findAny().isEmpty()) {
          Files.delete(ETC_NETNS);
        }
      } catch (IOException e) {
        System.err.println("netns lab: could not remove " + ETC_NETNS + ": " + e.getMessage());
      }
    }
  }
}
