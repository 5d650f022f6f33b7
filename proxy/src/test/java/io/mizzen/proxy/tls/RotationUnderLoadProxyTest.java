package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.WorkloadCredentials;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 2,000 requests to a STRICT inbound over several connections while both workloads' certificates
 * are rotated eight times: half through productpage's sidecar (pooled mTLS connections), half
 * straight from mTLS clients whose connections are new in every batch (new handshakes). Not one
 * may fail, and handshakes after the last rotation see the last certificate.
 */
class RotationUnderLoadProxyTest {
  private static final int BATCHES = 8;
  private static final int PER_BATCH = 250;
  private static final int CONCURRENCY = 8;
  private Sidecars mesh;
  private HttpClient direct;

  @BeforeEach
  void setUp() throws Exception {
    mesh = new Sidecars();
    mesh.start("reviews");
    mesh.start("productpage");
    mesh.apply(List.of(Sidecars.resource("apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata:\n"
        + "  name: default\n  namespace: default\nspec:\n  mtls:\n    mode: STRICT\n")));
    direct = directClient();
  }

  /** An mTLS client with productpage's certificate, its own connections (so their own handshakes). */
  private HttpClient directClient() throws Exception {
    WorkloadCredentials client = mesh.mesh.workload("bookinfo-productpage");
    return mesh.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(client.certificateChainPem()))
            .addKeyValue(Buffer.buffer(client.privateKeyPem())))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(mesh.mesh.rootPem()))),
        new PoolOptions().setHttp1MaxSize(CONCURRENCY));
  }

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  private Future<Integer> viaSidecar() {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(mesh.sidecars.get("productpage").proxy().outboundPort(), "127.0.0.1"))
        .setHost("reviews").setPort(9080).setURI("/").setTimeout(20_000);
    return io.mizzen.proxy.OneLoop.run(mesh.vertx, () -> mesh.client.request(o).compose(r -> r.send()
        .compose(resp -> resp.body().map(b -> resp.statusCode()))));
  }

  private Future<Integer> directTls() {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(mesh.sidecars.get("reviews").proxy().inboundPort(), "127.0.0.1"))
        .setHost("reviews").setPort(9080).setURI("/").setTimeout(20_000);
    return io.mizzen.proxy.OneLoop.run(mesh.vertx, () -> direct.request(o).compose(r -> r.send()
        .compose(resp -> resp.body().map(b -> resp.statusCode()))));
  }

  /** {@code n} requests one after another; each outcome other than 200 is noted. */
  private static Future<Void> chain(int n, Supplier<Future<Integer>> one, AtomicInteger done, Queue<String> failures) {
    if (n == 0) {
      return Future.succeededFuture();
    }
    return one.get().transform(ar -> {
      done.incrementAndGet();
      if (ar.failed()) {
        failures.add(String.valueOf(ar.cause()));
      } else if (ar.result() != 200) {
        failures.add("status " + ar.result());
      }
      return chain(n - 1, one, done, failures);
    });
  }

  @Test
  void rotatingCertificatesUnderLoadLosesNoRequest() throws Exception {
    AtomicInteger done = new AtomicInteger();
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    String lastSerial = null;
    for (int batch = 0; batch < BATCHES; batch++) {
      if (batch > 0) {
        // Fresh connections: their handshakes meet whichever certificate is current by then.
        HttpClient old = direct;
        direct = directClient();
        Sidecars.await(old.close());
      }
      List<Future<Void>> chains = new ArrayList<>();
      for (int c = 0; c < CONCURRENCY; c++) {
        chains.add(chain(PER_BATCH / CONCURRENCY + (c < PER_BATCH % CONCURRENCY ? 1 : 0),
            c % 2 == 0 ? this::viaSidecar : this::directTls, done, failures));
      }
      // While the batch is in flight: both sides get new certificates.
      WorkloadCredentials reviews = mesh.mesh.workload("bookinfo-reviews");
      mesh.sidecars.get("reviews").certificates().renew(reviews);
      mesh.sidecars.get("productpage").certificates().renew(mesh.mesh.workload("bookinfo-productpage"));
      lastSerial = reviews.serial();
      try {
        Sidecars.await(Future.join(chains), 120);
      } catch (AssertionError e) {
        throw new AssertionError("batch " + batch + " unfinished: " + done.get() + " requests done, " + failures.size()
            + " failed, first: " + failures.peek() + "; open connections: reviews "
            + mesh.sidecars.get("reviews").proxy().connections() + ", productpage " + mesh.sidecars.get("productpage").proxy().connections(), e);
      }
    }
    assertEquals(BATCHES * PER_BATCH, done.get());
    assertTrue(failures.isEmpty(), failures.size() + " of " + done.get() + " failed, first: " + failures.peek());

    // A new handshake: the last batch's pooled connections may all have been opened before its
    // renewal (they are, now that the sidecars reuse their HTTP/2 upstream connections).
    HttpClient last = direct;
    direct = directClient();
    Sidecars.await(last.close());
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(mesh.sidecars.get("reviews").proxy().inboundPort(), "127.0.0.1"))
        .setHost("reviews").setPort(9080).setURI("/").setTimeout(20_000);
    String served = Sidecars.await(direct.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> {
      try {
        return ((X509Certificate) r.connection().peerCertificates().get(0)).getSerialNumber().toString(16);
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        throw new IllegalStateException(e);
      }
    }))));
    assertEquals(lastSerial, served, "a new handshake presents the last certificate");
  }
}
