package io.mizzen.kernel.agent;

import io.mizzen.kernel.pilot.WireItems;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import io.mizzen.spi.wire.pilot.Item;
import io.mizzen.spi.wire.pilot.Node;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.PushRequest;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The agent's push stream to Pilot. It applies each delta to what it holds, offers the result
 * to the {@link AgentFeed}, and answers ACK or NACK (with the proxy's reason). When the stream
 * breaks it keeps what it holds and reconnects with {@link Backoff}; a new stream starts with a
 * full snapshot, which is how it resyncs after a control-plane restart. Runs on one context.
 */
final class PilotSubscription {
  /** Must match Pilot's prefix, by which it knows to resend in full. */
  static final String BASE_MISMATCH = "base version mismatch";
  private static final System.Logger LOG = System.getLogger(PilotSubscription.class.getName());

  private final Context context;
  private final GrpcClient grpc;
  private final SocketAddress controlPlane;
  private final Node node;
  private final AgentFeed feed;
  private final Backoff backoff;
  private Map<String, Resource> resources = new LinkedHashMap<>();
  private Map<String, ServiceInstance> instances = new LinkedHashMap<>();
  private String version = "";
  private GrpcClientRequest<PushRequest, PushSnapshot> stream;
  /** The certificate the proxy serves, as last reported; null without a workload identity. */
  private CertificateInfo certificate;
  private int attempt;
  private long retryTimer = -1;
  private boolean stopped;
  private volatile boolean connected;

  PilotSubscription(Context context, GrpcClient grpc, SocketAddress controlPlane, Node node, AgentFeed feed,
      Backoff backoff) {
    this.context = context;
    this.grpc = grpc;
    this.controlPlane = controlPlane;
    this.node = node;
    this.feed = feed;
    this.backoff = backoff;
  }

  /** Opens the stream (and keeps reopening it) until {@link #stop}. */
  void start() {
    context.runOnContext(v -> connect());
  }

  /** Whether a stream is open now. */
  boolean connected() {
    return connected;
  }

  private void connect() {
    if (stopped) {
      return;
    }
    grpc.request(controlPlane, PilotGrpcClient.Push).onComplete(ar -> {
      if (ar.failed()) {
        retry("cannot reach " + controlPlane + ": " + ar.cause().getMessage());
        return;
      }
      GrpcClientRequest<PushRequest, PushSnapshot> request = ar.result();
      stream = request;
      request.exceptionHandler(e -> broken(request, "stream failed: " + e.getMessage()));
      request.response().onComplete(resp -> {
        if (resp.failed()) {
          broken(request, "no response: " + resp.cause().getMessage());
          return;
        }
        resp.result().handler(snapshot -> context.runOnContext(x -> onSnapshot(request, snapshot)));
        resp.result().exceptionHandler(e -> broken(request, "stream failed: " + e.getMessage()));
        resp.result().endHandler(x -> broken(request, "the control plane ended the stream"));
      });
      PushRequest.Builder first = PushRequest.newBuilder().setNode(node);
      if (certificate != null) {
        first.setCertificate(certificate);
      }
      request.write(first.build())
          .onFailure(e -> broken(request, "cannot send the node: " + e.getMessage()));
    });
  }

  private void broken(GrpcClientRequest<PushRequest, PushSnapshot> request, String why) {
    context.runOnContext(v -> {
      if (request != stream) {
        return; // an older stream's late news
      }
      stream = null;
      connected = false;
      retry(why);
    });
  }

  private void retry(String why) {
    if (stopped) {
      return;
    }
    long delay = backoff.delay(attempt++, () -> ThreadLocalRandom.current().nextDouble()).toMillis();
    LOG.log(System.Logger.Level.INFO, "pilot stream of {0}: {1}; keeping version {2}, retrying in {3} ms",
        node.getId(), why, version.isEmpty() ? "(none)" : version, delay);
    retryTimer = context.owner().setTimer(delay, id -> context.runOnContext(v -> connect()));
  }

  private void onSnapshot(GrpcClientRequest<PushRequest, PushSnapshot> request, PushSnapshot s) {
    if (request != stream) {
      return;
    }
    connected = true;
    attempt = 0;
    boolean full = s.getBaseVersion().isEmpty();
    if (!full && !s.getBaseVersion().equals(version)) {
      answer(request, s.getVersion(), BASE_MISMATCH + ": holding '" + version + "', delta is against '"
          + s.getBaseVersion() + "'");
      return;
    }
    Map<String, Resource> nextResources = full ? new LinkedHashMap<>() : new LinkedHashMap<>(resources);
    Map<String, ServiceInstance> nextInstances = full ? new LinkedHashMap<>() : new LinkedHashMap<>(instances);
    try {
      s.getRemovedResourcesList().forEach(nextResources::remove);
      s.getRemovedInstancesList().forEach(nextInstances::remove);
      for (Item item : s.getResourcesList()) {
        nextResources.put(item.getKey(), WireItems.decodeResource(item.getJson().toByteArray()));
      }
      for (Item item : s.getInstancesList()) {
        nextInstances.put(item.getKey(), WireItems.decodeInstance(item.getJson().toByteArray()));
      }
    } catch (RuntimeException e) {
      answer(request, s.getVersion(), "cannot decode version " + s.getVersion() + ": " + e.getMessage());
      return;
    }
    ProxySnapshot snapshot = new ProxySnapshot(s.getVersion(), nextResources.values().stream().toList(),
        nextInstances.values().stream().toList());
    feed.offer(snapshot).onComplete(ar -> context.runOnContext(v -> {
      if (ar.succeeded()) {
        resources = nextResources;
        instances = nextInstances;
        version = s.getVersion();
        answer(request, s.getVersion(), "");
      } else {
        answer(request, s.getVersion(), String.valueOf(ar.cause().getMessage()));
      }
    }));
  }

  private void answer(GrpcClientRequest<PushRequest, PushSnapshot> request, String v, String error) {
    if (request == stream) {
      request.write(PushRequest.newBuilder().setVersion(v).setError(error).build())
          .onFailure(e -> broken(request, "cannot answer: " + e.getMessage()));
    }
  }

  /**
   * Reports the certificate the proxy serves now: at once on an open stream (a message with
   * neither a version nor an error, which Pilot reads as no answer), and with the first message of
   * every later stream. The same certificate twice is sent once.
   */
  void report(CertificateInfo info) {
    context.runOnContext(v -> {
      if (info.equals(certificate)) {
        return;
      }
      certificate = info;
      GrpcClientRequest<PushRequest, PushSnapshot> request = stream;
      if (request != null) {
        request.write(PushRequest.newBuilder().setCertificate(info).build())
            .onFailure(e -> broken(request, "cannot report the certificate: " + e.getMessage()));
      }
    });
  }

  /** Closes the stream and stops reconnecting. @return a Future completed once the stream is closed */
  Future<Void> stop() {
    stopped = true;
    if (retryTimer >= 0) {
      context.owner().cancelTimer(retryTimer);
    }
    GrpcClientRequest<PushRequest, PushSnapshot> s = stream;
    stream = null;
    connected = false;
    return s == null ? Future.succeededFuture() : s.end().otherwiseEmpty();
  }
}
