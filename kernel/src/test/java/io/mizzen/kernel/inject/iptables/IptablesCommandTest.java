package io.mizzen.kernel.inject.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The generated capture rules (dry run), and the real mode against a stand-in iptables binary. */
class IptablesCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new IptablesCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  /** The install part of the output, after the cleanup of earlier rules. */
  private List<String> installed() {
    List<String> all = lines();
    int start = all.indexOf("# install capture rules");
    assertTrue(start > 0, "no install section in " + all);
    return all.subList(start + 1, all.size());
  }

  @Test
  void defaultsCaptureEverythingLikeIstio() {
    assertEquals(0, run("--dry-run", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
        "-i", "*", "-x", "", "-b", "*", "-d", "15021,15090", "-o", ""), err.toString());
    assertEquals(List.of(
        "iptables -t nat -N ISTIO_INBOUND",
        "iptables -t nat -N ISTIO_REDIRECT",
        "iptables -t nat -N ISTIO_IN_REDIRECT",
        "iptables -t nat -N ISTIO_OUTPUT",
        "iptables -t nat -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
        "iptables -t nat -A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
        "iptables -t nat -A PREROUTING -p tcp -j ISTIO_INBOUND",
        "iptables -t nat -A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN",
        "iptables -t nat -A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN",
        "iptables -t nat -A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT",
        "iptables -t nat -A OUTPUT -p tcp -j ISTIO_OUTPUT",
        "iptables -t nat -A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT",
        "iptables -t nat -A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT",
        "iptables -t nat -A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN",
        "iptables -t nat -A ISTIO_OUTPUT -j ISTIO_REDIRECT"), installed());
    assertEquals("# remove capture rules left by an earlier run", lines().get(0));
    assertEquals("iptables -t nat -D PREROUTING -p tcp -j ISTIO_INBOUND", lines().get(1));
  }

  @Test
  void includeAndExcludeListsNarrowCapture() {
    assertEquals(0, run("--dry-run", "-b", "9080,9443", "-o", "3306", "-i", "10.0.0.0/8,172.16.0.0/12",
        "-x", "10.1.2.3,169.254.169.254/32", "-u", "2000", "-g", "3000"), err.toString());
    List<String> rules = installed();
    assertTrue(rules.contains("iptables -t nat -A ISTIO_INBOUND -p tcp --dport 9080 -j ISTIO_IN_REDIRECT"));
    assertTrue(rules.contains("iptables -t nat -A ISTIO_INBOUND -p tcp --dport 9443 -j ISTIO_IN_REDIRECT"));
    assertTrue(rules.stream().noneMatch(r -> r.equals("iptables -t nat -A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT")),
        "only the listed inbound ports are captured");
    assertTrue(rules.contains("iptables -t nat -A ISTIO_OUTPUT -p tcp --dport 3306 -j RETURN"));
    assertTrue(rules.contains("iptables -t nat -A ISTIO_OUTPUT -m owner --uid-owner 2000 -j RETURN"));
    assertTrue(rules.contains("iptables -t nat -A ISTIO_OUTPUT -m owner --gid-owner 3000 -j RETURN"));
    int excluded = rules.indexOf("iptables -t nat -A ISTIO_OUTPUT -d 169.254.169.254/32 -j RETURN");
    int included = rules.indexOf("iptables -t nat -A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT");
    assertTrue(excluded > 0 && included > excluded, "exclusions must come before inclusions: " + rules);
    assertTrue(rules.contains("iptables -t nat -A ISTIO_OUTPUT -d 10.1.2.3 -j RETURN"));
    assertTrue(rules.contains("iptables -t nat -A ISTIO_OUTPUT -d 172.16.0.0/12 -j ISTIO_REDIRECT"));
    assertTrue(rules.stream().noneMatch(r -> r.endsWith("ISTIO_OUTPUT -j ISTIO_REDIRECT")), "no catch-all redirect");
  }

  @Test
  void ipv6IsCapturedWithIp6tablesWhenAsked() {
    assertEquals(0, run("--dry-run", "--ipv6", "-x", "10.0.0.0/8,fd00::/8", "-i", "*"), err.toString());
    List<String> all = lines();
    int v6 = all.indexOf("# install IPv6 capture rules");
    assertTrue(v6 > 0, all.toString());
    List<String> v4Rules = installed().subList(0, installed().indexOf("# remove IPv6 capture rules left by an earlier run"));
    List<String> v6Rules = all.subList(v6 + 1, all.size());
    assertTrue(v4Rules.contains("iptables -t nat -A ISTIO_OUTPUT -d 10.0.0.0/8 -j RETURN"));
    assertTrue(v4Rules.stream().noneMatch(r -> r.contains("fd00::/8")));
    assertTrue(v6Rules.stream().allMatch(r -> r.startsWith("ip6tables -t nat ")), v6Rules.toString());
    assertTrue(v6Rules.contains("ip6tables -t nat -A ISTIO_OUTPUT -d fd00::/8 -j RETURN"));
    assertTrue(v6Rules.contains("ip6tables -t nat -A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN"));
    assertTrue(v6Rules.contains("ip6tables -t nat -A ISTIO_OUTPUT -d ::1/128 -j RETURN"));
    assertTrue(v6Rules.contains("ip6tables -t nat -A ISTIO_OUTPUT -j ISTIO_REDIRECT"));
    assertTrue(v6Rules.stream().noneMatch(r -> r.contains("10.0.0.0/8") || r.contains("127.0.0.1")));
  }

  @Test
  void ipv6RangesNeedIpv6AndMustBeValid() {
    assertEquals(2, run("--dry-run", "--ipv6", "-x", "fd00::zz,fd00::/129,2001:db8::1"));
    assertTrue(err.toString().contains("'fd00::zz' is not an IPv6 address or CIDR range"), err.toString());
    assertTrue(err.toString().contains("'fd00::/129' is not an IPv6 address or CIDR range"), err.toString());
    assertFalse(err.toString().contains("2001:db8::1"), err.toString());
  }

  @Test
  void emptyInboundListInstallsNoInboundHook() {
    assertEquals(0, run("--dry-run", "-b", ""), err.toString());
    assertTrue(installed().stream().noneMatch(r -> r.contains("PREROUTING")), installed().toString());
    assertTrue(installed().contains("iptables -t nat -A OUTPUT -p tcp -j ISTIO_OUTPUT"));
  }

  @Test
  void modeNoneInstallsNothing() {
    assertEquals(0, run("--dry-run", "-m", "NONE"), err.toString());
    assertEquals(List.of("# interception mode NONE: no rules"), lines());
  }

  @Test
  void badFlagsAreAllReportedByName() {
    assertEquals(2, run("--dry-run", "-m", "TPROXY", "-d", "15021,http", "-x", "10.0.0.300/8,fd00::/8", "-i", "*,10.0.0.0/8"));
    String message = err.toString();
    assertTrue(message.contains("-m (interception mode): 'TPROXY' is not supported"), message);
    assertTrue(message.contains("-d (exclude inbound ports): 'http' is not a port in 1..65535"), message);
    assertTrue(message.contains("-x (exclude outbound IP ranges): '10.0.0.300/8' is not an IPv4 address or CIDR range"), message);
    assertTrue(message.contains("-x (exclude outbound IP ranges): 'fd00::/8' is IPv6; add --ipv6"), message);
    assertTrue(message.contains("-i (include outbound IP ranges): '*' cannot be combined"), message);
    assertEquals("", out.toString());
  }

  @Test
  void realModeRunsEachRuleAndStopsAtTheFirstFailure() throws IOException {
    Path log = dir.resolve("calls.log");
    Path fake = script("fake-iptables", """
        #!/bin/sh
        echo "$*" >> '%s'
        case "$*" in *ISTIO_OUTPUT\\ -j\\ ISTIO_REDIRECT*) echo "iptables: No chain/target/match by that name." >&2; exit 1;; esac
        exit 0
        """.formatted(log));
    assertEquals(1, run("--iptables", fake.toString(), "-b", "9080"));
    List<String> calls = Files.readAllLines(log);
    assertEquals("-t nat -D PREROUTING -p tcp -j ISTIO_INBOUND", calls.get(0), "earlier rules are removed first");
    assertTrue(calls.indexOf("-t nat -N ISTIO_INBOUND") > calls.indexOf("-t nat -X ISTIO_OUTPUT"));
    assertEquals("-t nat -A ISTIO_OUTPUT -j ISTIO_REDIRECT", calls.get(calls.size() - 1));
    assertTrue(err.toString().contains("failed with exit code 1: iptables: No chain/target/match by that name."), err.toString());
  }

  @Test
  void cleanReportsChainsThatWereNotThere() throws IOException {
    Path fake = script("absent-iptables", "#!/bin/sh\ncase \"$1 $2 $3\" in '-t nat -X') exit 0;; esac\nexit 1\n");
    assertEquals(0, run("--iptables", fake.toString(), "--clean"), err.toString());
    assertTrue(lines().get(1).endsWith("-t nat -D PREROUTING -p tcp -j ISTIO_INBOUND  # not present (exit 1)"), out.toString());
    assertTrue(lines().contains(fake + " -t nat -X ISTIO_OUTPUT"), out.toString());
    int lastFlush = lines().indexOf(fake + " -t nat -F ISTIO_OUTPUT  # not present (exit 1)");
    int firstDelete = lines().indexOf(fake + " -t nat -X ISTIO_INBOUND");
    assertTrue(lastFlush >= 0 && firstDelete > lastFlush, "chains still referenced cannot be deleted: flush all first");
    assertTrue(lines().stream().noneMatch(l -> l.contains(" -N ")), "--clean installs nothing");
  }

  @Test
  void aFailedCleanupDoesNotStopTheInstallButAFailedRuleDoes() throws IOException {
    Path fake = script("fresh-iptables", "#!/bin/sh\ncase \"$3\" in -D|-F|-X) exit 1;; esac\nexit 0\n");
    assertEquals(0, run("--iptables", fake.toString()), err.toString());
    assertTrue(installed().contains(fake + " -t nat -A ISTIO_OUTPUT -j ISTIO_REDIRECT"), out.toString());
  }

  @Test
  void aMissingBinaryIsNamed() {
    assertEquals(1, run("--iptables", dir.resolve("no-such-iptables").toString()));
    assertTrue(err.toString().contains("cannot run " + dir.resolve("no-such-iptables")), err.toString());
  }

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
