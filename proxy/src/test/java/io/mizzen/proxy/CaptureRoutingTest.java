package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.proxy.capture.OriginalDestination;
import io.vertx.core.http.HttpServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound listener under capture: the kernel's conntrack table is outside the system, so a
 * table answering "this connection was dialled to X" stands in for it; the proxy, the client and
 * the upstreams are real.
 */
class CaptureRoutingTest {
  private Fixture f;
  private HttpServer dialled;
  private HttpServer web;
  private final LinkedBlockingQueue<InetSocketAddress> looked = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    f = new Fixture();
    dialled = f.named("dialled");
    web = f.named("web");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void start(OriginalDestination table) {
    f.start(f.options().withOriginalDestination(table));
    new Mesh(f).instance("web", "v1", web.actualPort()).apply("");
  }

  @Test
  void anUnknownHostIsPassedThroughToWhereTheClientDialled() {
    start(table(Optional.of(new InetSocketAddress("127.0.0.1", 0))));
    Fixture.Reply r = f.get("nowhere.invalid", "/x");
    assertEquals(200, r.status(), r.body());
    // Not the Host header's nowhere.invalid:80 (which resolves nowhere): the captured address.
    assertEquals("dialled GET /x host=nowhere.invalid body=0", r.body());
    assertEquals(1, looked.size(), "one lookup per connection, with the accepted socket's addresses");
  }

  @Test
  void aKnownHostStillRoutesByItsServiceOnTheDialledPort() {
    // The app dialled web's cluster IP on the service port: the route for web:9080 applies.
    start(table(Optional.of(new InetSocketAddress("10.0.0.9", 9080))));
    assertEquals("web", Bookinfo.servedBy(f.get("web:9080", "/")));
  }

  @Test
  void aConnectionTheTableDoesNotKnowFollowsTheHostHeader() {
    start(table(Optional.empty()));
    assertEquals("dialled", Bookinfo.servedBy(f.get("127.0.0.1:" + dialled.actualPort(), "/")));
  }

  @Test
  void aTableThatCannotBeReadFallsBackToTheHostHeader() {
    start(new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        throw new UncheckedIOException(new java.io.IOException("cannot read the conntrack table: test"));
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    });
    assertEquals("dialled", Bookinfo.servedBy(f.get("127.0.0.1:" + dialled.actualPort(), "/")));
  }

  /** Answers {@code answer}, with port 0 standing for the "dialled" upstream's port. */
  private OriginalDestination table(Optional<InetSocketAddress> answer) {
    return new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        looked.add(local);
        return answer.map(a -> a.getPort() == 0 ? new InetSocketAddress(a.getAddress(), dialled.actualPort()) : a);
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    };
  }
}
