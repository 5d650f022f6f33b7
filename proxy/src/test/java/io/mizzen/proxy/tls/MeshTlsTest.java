package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.WorkloadCredentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real TLS handshakes on 127.0.0.1 between a Netty server and Netty clients built from
 * {@link MeshTls}: mutual TLS 1.3 naming both peers, SAN checks, expired and foreign certificates
 * and plaintext refused, rotation without dropping open connections, both roots during a root
 * rotation.
 */
class MeshTlsTest {
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";
  /** A line the echo server answers and then closes the connection on. */
  static final String BYE = "mizzen-bye";
  private EventLoopGroup group;
  private TestPki mesh;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    mesh = new TestPki("cluster.local");
  }

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A TLS echo server; each handshake's outcome (the peer principal, or the failure) is queued. */
  record Server(Channel channel, int port, BlockingQueue<Object> handshakes) {
    Object nextHandshake() throws InterruptedException {
      Object o = handshakes.poll(10, TimeUnit.SECONDS);
      if (o == null) {
        throw new AssertionError("no handshake outcome on the server within 10 s");
      }
      return o;
    }
  }

  record Client(Channel channel, SslHandler ssl, BlockingQueue<String> received) {
    String echo(String text) throws InterruptedException {
      channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      StringBuilder got = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (got.length() < text.length() && System.nanoTime() < deadline) {
        String part = received.poll(100, TimeUnit.MILLISECONDS);
        if (part != null) {
          got.append(part);
        }
      }
      return got.toString();
    }

    X509Certificate peerLeaf() throws Exception {
      return (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
    }
  }

  static Server serve(EventLoopGroup group, MeshTls tls) {
    BlockingQueue<Object> handshakes = new LinkedBlockingQueue<>();
    Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // The context is asked for per connection: that is what makes a rotation reach new ones only.
            SslHandler ssl = tls.server().newHandler(ch.alloc());
            ssl.handshakeFuture().addListener(f -> handshakes.add(f.isSuccess()
                ? MeshTls.peerPrincipal(ssl.engine().getSession()).orElse("<no principal>") : f.cause()));
            ch.pipeline().addLast(ssl, new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                boolean bye = msg.toString(StandardCharsets.UTF_8).contains(BYE);
                var written = ctx.writeAndFlush(msg.retain());
                if (bye) {
                  written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    return new Server(channel, ((java.net.InetSocketAddress) channel.localAddress()).getPort(), handshakes);
  }

  static Client connect(EventLoopGroup group, SslContext context, int port) {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    SslHandler[] ssl = new SslHandler[1];
    Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ssl[0] = context.newHandler(ch.alloc(), "127.0.0.1", port);
            ch.pipeline().addLast(ssl[0], new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                received.add(msg.toString(StandardCharsets.UTF_8));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).connect("127.0.0.1", port).syncUninterruptibly().channel();
    if (!ssl[0].handshakeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)) {
      throw new AssertionError("client handshake did not finish within 10 s");
    }
    return new Client(channel, ssl[0], received);
  }

  static String chain(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void mutualTls13NamesBothPeers() throws Exception {
    Server server = serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    MeshTls productpage = MeshTls.create(new HeldCertificates(mesh.workload("productpage")));
    Client client = connect(group, productpage.client(Set.of(REVIEWS)), server.port());
    assertTrue(client.ssl().handshakeFuture().isSuccess(), () -> chain(client.ssl().handshakeFuture().cause()));
    assertEquals("TLSv1.3", client.ssl().engine().getSession().getProtocol());
    assertEquals("cluster.local/ns/default/sa/reviews", MeshTls.peerPrincipal(client.ssl().engine().getSession()).orElseThrow());
    assertEquals("cluster.local/ns/default/sa/productpage", server.nextHandshake());
    assertEquals("ping", client.echo("ping"));
    // The principal form of the expected identity works too (AuthorizationPolicy speaks it).
    Client byPrincipal = connect(group, productpage.client(Set.of("cluster.local/ns/default/sa/reviews")), server.port());
    assertTrue(byPrincipal.ssl().handshakeFuture().isSuccess());
  }

  @Test
  void aPeerOtherThanTheExpectedIdentityIsRefused() throws Exception {
    Server server = serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    MeshTls productpage = MeshTls.create(new HeldCertificates(mesh.workload("productpage")));
    Client client = connect(group, productpage.client(Set.of("spiffe://cluster.local/ns/default/sa/ratings")), server.port());
    assertFalse(client.ssl().handshakeFuture().isSuccess());
    String why = chain(client.ssl().handshakeFuture().cause());
    assertTrue(why.contains("is not one of the expected") && why.contains(REVIEWS), why);
  }

  @Test
  void aCertificateFromAForeignCaIsRefused() throws Exception {
    Server server = serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    TestPki foreign = new TestPki("evil.example");
    // The intruder trusts the mesh root, so only its own certificate can fail the handshake.
    WorkloadCredentials intruder = foreign.workload("productpage", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600),
        List.of(mesh.rootPem()));
    Client client = connect(group, MeshTls.create(new HeldCertificates(intruder)).client(Set.of()), server.port());
    assertInstanceOf(Throwable.class, server.nextHandshake());
    assertTrue(client.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS), "the server closes the intruder's connection");

    // And a sidecar does not talk to a server with a foreign certificate.
    Server impostor = serve(group, MeshTls.create(new HeldCertificates(
        foreign.workload("reviews", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), List.of(mesh.rootPem())))));
    Client victim = connect(group, MeshTls.create(new HeldCertificates(mesh.workload("productpage"))).client(Set.of(REVIEWS)),
        impostor.port());
    assertFalse(victim.ssl().handshakeFuture().isSuccess());
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    Server server = serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    WorkloadCredentials expired = mesh.workload("productpage", Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1)),
        List.of(mesh.rootPem()));
    Client client = connect(group, MeshTls.create(new HeldCertificates(expired)).client(Set.of()), server.port());
    Object outcome = server.nextHandshake();
    assertInstanceOf(Throwable.class, outcome);
    assertTrue(chain((Throwable) outcome).toLowerCase().contains("expired"), chain((Throwable) outcome));
    assertTrue(client.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS));
  }

  @Test
  void plaintextIsRefusedAndTellsItselfApartFromTls() throws Exception {
    Server server = serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    try (java.net.Socket plain = new java.net.Socket("127.0.0.1", server.port())) {
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertInstanceOf(Throwable.class, server.nextHandshake());
      assertEquals(-1, plain.getInputStream().read(), "the server closes a plaintext connection without answering");
    }
    assertFalse(MeshTls.looksLikeTls(Unpooled.copiedBuffer("GET / HTTP/1.1", StandardCharsets.US_ASCII)));
    assertTrue(MeshTls.looksLikeTls(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00})));
    assertFalse(MeshTls.looksLikeTls(Unpooled.wrappedBuffer(new byte[] {0x16})));
  }

  @Test
  void rotationKeepsOpenConnectionsAndNewOnesGetTheNewCertificate() throws Exception {
    HeldCertificates reviews = new HeldCertificates(mesh.workload("reviews"));
    MeshTls tls = MeshTls.create(reviews);
    Server server = serve(group, tls);
    MeshTls productpage = MeshTls.create(new HeldCertificates(mesh.workload("productpage")));
    Client before = connect(group, productpage.client(Set.of(REVIEWS)), server.port());
    String oldSerial = before.peerLeaf().getSerialNumber().toString(16);
    assertEquals(oldSerial, tls.serial());

    reviews.renew(mesh.workload("reviews"));
    assertNotEquals(oldSerial, tls.serial());
    assertEquals("still here", before.echo("still here"), "the open connection survives the rotation");
    Client after = connect(group, productpage.client(Set.of(REVIEWS)), server.port());
    assertEquals(tls.serial(), after.peerLeaf().getSerialNumber().toString(16));
    assertEquals("new", after.echo("new"));
  }

  @Test
  void duringARootRotationBothRootsAreTrusted() throws Exception {
    TestPki next = new TestPki("cluster.local-2");
    List<String> both = List.of(mesh.rootPem(), next.rootPem());
    Server server = serve(group, MeshTls.create(new HeldCertificates(
        next.workload("reviews", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), both))));
    // A workload not yet renewed: its certificate is from the old root, and it was handed both roots.
    Client old = connect(group, MeshTls.create(new HeldCertificates(
        mesh.workload("productpage", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), both))).client(Set.of(REVIEWS)),
        server.port());
    assertTrue(old.ssl().handshakeFuture().isSuccess(), () -> chain(old.ssl().handshakeFuture().cause()));
    assertEquals("cluster.local/ns/default/sa/productpage", server.nextHandshake());
  }

  @Test
  void unreadableCredentialsAreNamed() throws Exception {
    WorkloadCredentials good = mesh.workload("reviews");
    WorkloadCredentials badKey = new WorkloadCredentials(good.identity(), good.certificateChainPem(), "not a key", good.rootsPem(),
        good.serial(), good.notAfter());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> MeshTls.create(new HeldCertificates(badKey)));
    assertTrue(e.getMessage().contains("privateKeyPem"), e.getMessage());
    WorkloadCredentials noRoots = new WorkloadCredentials(good.identity(), good.certificateChainPem(), good.privateKeyPem(), List.of(),
        good.serial(), good.notAfter());
    e = assertThrows(IllegalStateException.class, () -> MeshTls.create(new HeldCertificates(noRoots)));
    assertTrue(e.getMessage().contains("rootsPem"), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> MeshTls.create(new HeldCertificates(null)));
    assertTrue(e.getMessage().contains("no certificate"), e.getMessage());

    // A bad renewal keeps the certificate in force.
    HeldCertificates held = new HeldCertificates(good);
    MeshTls tls = MeshTls.create(held);
    held.renew(badKey);
    assertEquals(good.serial(), tls.serial());
  }
}
