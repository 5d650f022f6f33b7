package io.mizzen.proxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conntrack lines as Linux 6.x writes them for REDIRECTed connections (the kernel is outside the
 * system, so its table is given as a file; ops/it's NetnsCaptureIT reads the real one).
 */
class ConntrackTableTest {
  /** curl in the pod to reviews' address 10.251.0.100:9080, redirected to 127.0.0.1:15001. */
  private static final String OUTBOUND = "ipv4     2 tcp      6 431999 ESTABLISHED src=10.251.0.2 dst=10.251.0.100 "
      + "sport=40312 dport=9080 src=127.0.0.1 dst=10.251.0.2 sport=15001 dport=40312 [ASSURED] mark=0 zone=0 use=2";
  /** A peer sidecar dialling the pod's 9080, redirected to the pod's 15006. */
  private static final String INBOUND = "ipv4     2 tcp      6 117 TIME_WAIT src=10.251.0.2 dst=10.251.0.3 "
      + "sport=51000 dport=9080 src=10.251.0.3 dst=10.251.0.2 sport=15006 dport=51000 [ASSURED] mark=0 zone=0 use=2";
  /** Not redirected: both tuples mirror each other. */
  private static final String PLAIN = "ipv4     2 tcp      6 86399 ESTABLISHED src=10.251.0.2 dst=10.251.0.1 "
      + "sport=33000 dport=15010 src=10.251.0.1 dst=10.251.0.2 sport=15010 dport=33000 [ASSURED] mark=0 zone=0 use=2";
  private static final String UDP = "ipv4     2 udp      17 20 src=10.251.0.2 dst=10.251.0.1 sport=5353 dport=53 "
      + "src=10.251.0.1 dst=10.251.0.2 sport=53 dport=5353 mark=0 zone=0 use=2";
  private static final String IPV6 = "ipv6     10 tcp      6 431999 ESTABLISHED src=fd00:0000:0000:0000:0000:0000:0000:0002 "
      + "dst=fd00:0000:0000:0000:0000:0000:0000:0064 sport=40400 dport=9080 src=0000:0000:0000:0000:0000:0000:0000:0001 "
      + "dst=fd00:0000:0000:0000:0000:0000:0000:0002 sport=15001 dport=40400 [ASSURED] mark=0 zone=0 use=2";

  @TempDir Path dir;

  private OriginalDestination table(String... lines) throws Exception {
    return OriginalDestination.conntrack(Files.writeString(dir.resolve("nf_conntrack"), String.join("\n", lines) + "\n"));
  }

  @Test
  void outboundRedirectGivesTheAddressTheAppDialled() throws Exception {
    OriginalDestination od = table(PLAIN, UDP, OUTBOUND, INBOUND);
    assertEquals(Optional.of(new InetSocketAddress("10.251.0.100", 9080)),
        od.lookup(new InetSocketAddress("10.251.0.2", 40312), new InetSocketAddress("127.0.0.1", 15001)));
    assertNull(od.unavailableReason());
  }

  @Test
  void inboundRedirectGivesTheTargetPort() throws Exception {
    OriginalDestination od = table(OUTBOUND, INBOUND);
    assertEquals(Optional.of(new InetSocketAddress("10.251.0.3", 9080)),
        od.lookup(new InetSocketAddress("10.251.0.2", 51000), new InetSocketAddress("10.251.0.3", 15006)));
  }

  @Test
  void aConnectionToTheListenerItselfIsNotCaptured() throws Exception {
    OriginalDestination od = table(PLAIN, OUTBOUND);
    // Same client port as OUTBOUND, but the proxy side differs: no match, not a wrong answer.
    assertEquals(Optional.empty(),
        od.lookup(new InetSocketAddress("10.251.0.2", 40312), new InetSocketAddress("127.0.0.1", 15006)));
    assertEquals(Optional.empty(),
        od.lookup(new InetSocketAddress("10.251.0.9", 40312), new InetSocketAddress("127.0.0.1", 15001)));
  }

  @Test
  void ipv6IsComparedAsAddressesNotText() throws Exception {
    OriginalDestination od = table(IPV6);
    assertEquals(Optional.of(new InetSocketAddress("fd00::64", 9080)),
        od.lookup(new InetSocketAddress("fd00::2", 40400), new InetSocketAddress("::1", 15001)));
  }

  @Test
  void truncatedOrForeignLinesDoNotMatch() throws Exception {
    OriginalDestination od = table("", "garbage", OUTBOUND.substring(0, OUTBOUND.indexOf("src=127")),
        "ipv4 2 icmp 1 29 src=10.251.0.2 dst=10.251.0.1 type=8 code=0 id=1 src=10.251.0.1 dst=10.251.0.2 type=0 code=0 id=1");
    assertEquals(Optional.empty(),
        od.lookup(new InetSocketAddress("10.251.0.2", 40312), new InetSocketAddress("127.0.0.1", 15001)));
  }

  @Test
  void aMissingTableSaysWhatHappensInstead() {
    OriginalDestination od = OriginalDestination.conntrack(dir.resolve("absent"));
    String reason = od.unavailableReason();
    assertNotNull(reason);
    assertTrue(reason.contains("nf_conntrack") && reason.contains("Host header") && reason.contains("app port"), reason);
    assertEquals(Optional.empty(),
        od.lookup(new InetSocketAddress("10.251.0.2", 40312), new InetSocketAddress("127.0.0.1", 15001)));
    assertNotNull(OriginalDestination.none().unavailableReason());
  }

  @Test
  void anUnreadableTableIsAnErrorNamingIt() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("is-a-folder"));
    OriginalDestination od = OriginalDestination.conntrack(folder);
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> od.lookup(new InetSocketAddress("10.251.0.2", 1), new InetSocketAddress("127.0.0.1", 15001)));
    assertTrue(e.getMessage().contains(folder.toString()), e.getMessage());
  }
}
