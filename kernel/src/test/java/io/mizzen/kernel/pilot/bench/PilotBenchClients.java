package io.mizzen.kernel.pilot.bench;

import com.google.protobuf.CodedInputStream;
import io.mizzen.kernel.agent.AgentFunction;
import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.grpc.ControlPlaneGrpc;
import io.mizzen.spi.wire.pilot.Item;
import io.mizzen.spi.wire.pilot.Node;
import io.mizzen.spi.wire.pilot.PushRequest;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The 100 proxies of {@link PilotBench}, in a JVM of their own. They first warm up against a
 * control plane they start themselves (same mesh, 3 rounds by default), then follow the
 * bench's commands on stdin ({@code round N}, {@code close}, {@code exit}) and answer on stdout
 * with lines that start with {@value #PREFIX}: {@code ready}, {@code synced START FIRST END},
 * {@code changed AT}, {@code closed}, or {@code failed WHY}; times are {@code System.nanoTime()}.
 */
public final class PilotBenchClients {
  static final String PREFIX = "bench: ";
  private static final int WARMUPS = Integer.getInteger("pilot.bench.warmups", 3);

  private PilotBenchClients() {}

  /** Starts the clients' JVM on the classpath of this one, pointed at the control plane's gRPC port. */
  static Process spawn(int port) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-Xss512k", "-Xmx1g", "-cp", System.getProperty("java.class.path")));
    if (System.getProperty("pilot.bench.decode") != null) {
      cmd.add("-Dpilot.bench.decode=" + System.getProperty("pilot.bench.decode"));
    }
    cmd.addAll(List.of(PilotBenchClients.class.getName(), String.valueOf(port)));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The VirtualService timeout, in seconds, that round {@code round}'s change sets on svc-0. */
  static int timeoutOf(int round) {
    return round + 10;
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    try {
      warmUp(vertx);
      say("ready");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Round current = null;
      for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
        if (line.startsWith("round ")) {
          current = Round.start(vertx, port, Integer.parseInt(line.substring(6)));
          current.awaitSynced();
          say("synced " + current.start + " " + current.first.get() + " " + current.last.get());
          current.awaitChanged();
          say("changed " + current.changedAt.get());
        } else if (line.equals("close") && current != null) {
          current.close();
          say("closed");
        }
      }
    } catch (Exception | Error e) {
      say("failed " + e);
      throw e;
    } finally {
      PilotBench.get(vertx.close());
    }
    System.exit(0);
  }

  /** Rounds against a control plane of this JVM's own, so that the clients' code is compiled. */
  private static void warmUp(Vertx vertx) throws Exception {
    Path home = Files.createTempDirectory("pilot-bench-clients");
    Kernel local = PilotBench.startMesh(home);
    try {
      int port = local.lookup(ControlPlaneGrpc.GrpcEndpoint.class).port();
      for (int w = 1; w <= WARMUPS; w++) {
        Round round = Round.start(vertx, port, w);
        round.awaitSynced();
        PilotBench.get(PilotBench.change(local, w));
        round.awaitChanged();
        round.close();
      }
    } finally {
      PilotBench.get(local.stop());
    }
  }

  private static void say(String line) {
    System.out.println(PREFIX + line);
    System.out.flush();
  }

  /** One round's 100 proxies: one client (one connection) each, all connecting at once. */
  private static final class Round {
    final long start = System.nanoTime();
    final AtomicLong first = new AtomicLong();
    final AtomicLong last = new AtomicLong();
    final AtomicLong changedAt = new AtomicLong();
    final CountDownLatch synced = new CountDownLatch(PilotBench.PROXIES);
    final CountDownLatch changed = new CountDownLatch(PilotBench.PROXIES);
    final List<GrpcClient> clients = new ArrayList<>();
    final int round;

    private Round(int round) {
      this.round = round;
    }

    static Round start(Vertx vertx, int port, int round) throws Exception {
      Round r = new Round(round);
      SocketAddress address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
      String changedKey = "VirtualService/default/svc-0";
      String marker = "\"timeout\":\"" + timeoutOf(round) + "s\"";
      List<Future<GrpcClientRequest<PushRequest, Received>>> opened = new ArrayList<>();
      for (int p = 0; p < PilotBench.PROXIES; p++) {
        Node node = Node.newBuilder().setId("bench-" + round + "-" + p).setService("svc-" + p).setNamespace("default")
            .setAddress("10.9.0." + p).setRole("sidecar").build();
        GrpcClient grpc = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(512L * 1024 * 1024),
            AgentFunction.pushStreamOptions()); // the sidecar agent's
        r.clients.add(grpc);
        opened.add(grpc.request(address, PUSH).map(req -> {
          boolean[] full = {false};
          boolean[] seen = {false};
          req.response().onSuccess(resp -> resp.handler(snap -> {
            if (!full[0] && snap.baseVersion().isEmpty() && snap.resources() == 2 * PilotBench.SERVICES
                && snap.instances() == PilotBench.SERVICES * PilotBench.ENDPOINTS) {
              full[0] = true;
              long now = System.nanoTime();
              r.first.compareAndSet(0, now);
              r.last.set(now);
              r.synced.countDown();
            }
            if (!seen[0] && snap.changed().stream()
                .anyMatch(i -> i.getKey().equals(changedKey) && i.getJson().toStringUtf8().contains(marker))) {
              seen[0] = true;
              r.changedAt.set(System.nanoTime());
              r.changed.countDown();
            }
            req.write(PushRequest.newBuilder().setVersion(snap.version()).build());
          }));
          req.write(PushRequest.newBuilder().setNode(node).build());
          return req;
        }));
      }
      // The 100 connect at once, as proxies do when a control plane (re)starts; none waits for another's connection.
      for (Future<GrpcClientRequest<PushRequest, Received>> f : opened) {
        PilotBench.get(f);
      }
      return r;
    }

    void awaitSynced() throws InterruptedException {
      if (!synced.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round " + round + ": only " + (PilotBench.PROXIES - synced.getCount())
            + " proxies synced");
      }
    }

    void awaitChanged() throws InterruptedException {
      if (!changed.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("round " + round + ": the change reached only "
            + (PilotBench.PROXIES - changed.getCount()));
      }
    }

    void close() throws Exception {
      for (GrpcClient c : clients) {
        PilotBench.get(c.close());
      }
    }
  }

  /**
   * What a bench client keeps of a snapshot. The 100 clients stand for proxies on other
   * machines: decoding 100 full snapshots (2.2 MB of protobuf each) on the bench's 2 cores would
   * be measured as the control plane's push. With {@code -Dpilot.bench.decode=full} they decode
   * every item, as a real agent does; by default they read the snapshot's framing (versions, item
   * counts) and decode only the items of {@code svc-0} (the one the change test looks for).
   */
  record Received(String version, String baseVersion, int resources, int instances,
      List<Item> changed) {}

  private static final boolean FULL_DECODE = "full".equals(System.getProperty("pilot.bench.decode"));

  private static final ServiceMethod<Received, PushRequest> PUSH =
      ServiceMethod.client(ServiceName.create("mizzen.pilot.v1", "Pilot"), "Push",
          GrpcMessageEncoder.encoder(), new GrpcMessageDecoder<Received>() {
            @Override
            public Received decode(GrpcMessage message) {
              try {
                // The message's own bytes, read in place: a copy of 2 MB per proxy would be the
                // bench's garbage, collected on the control plane's cores.
                ByteBuf buf = ((BufferInternal) message.payload()).getByteBuf();
                byte[] b;
                int from;
                if (buf.hasArray()) {
                  b = buf.array();
                  from = buf.arrayOffset() + buf.readerIndex();
                } else {
                  b = ByteBufUtil.getBytes(buf);
                  from = 0;
                }
                int to = from + buf.readableBytes();
                return FULL_DECODE ? fully(PushSnapshot.parseFrom(CodedInputStream.newInstance(b, from, to - from)))
                    : framing(b, from, to);
              } catch (IOException e) {
                throw new CodecException(e);
              }
            }

            @Override
            public boolean accepts(WireFormat format) {
              return format == WireFormat.PROTOBUF;
            }
          });

  private static Received fully(PushSnapshot snap) {
    return new Received(snap.getVersion(), snap.getBaseVersion(), snap.getResourcesCount(), snap.getInstancesCount(),
        snap.getResourcesList());
  }

  /**
   * Walks the wire format in place (no copies): versions read, items counted, only the items
   * whose key names svc-0 decoded.
   */
  private static Received framing(byte[] b, int from, int to) throws IOException {
    String version = "";
    String base = "";
    int resources = 0;
    int instances = 0;
    List<Item> changed = new ArrayList<>();
    int[] at = {from};
    while (at[0] < to) {
      int tag = (int) varint(b, at);
      int field = tag >>> 3;
      if ((tag & 7) != 2) {
        throw new IOException("unexpected wire type " + (tag & 7) + " for field " + field);
      }
      int length = (int) varint(b, at);
      int start = at[0];
      at[0] += length;
      switch (field) {
        case 1 -> version = new String(b, start, length, StandardCharsets.UTF_8);
        case 2 -> base = new String(b, start, length, StandardCharsets.UTF_8);
        case 3 -> {
          resources++;
          if (keyEndsWithSvc0(b, start, length)) {
            changed.add(Item.parseFrom(Arrays.copyOfRange(b, start, start + length)));
          }
        }
        case 5 -> instances++;
        default -> { }
      }
    }
    return new Received(version, base, resources, instances, changed);
  }

  private static final byte[] SVC0 = "/svc-0".getBytes(StandardCharsets.UTF_8);

  /** Whether an Item's key (its field 1, written first) ends with {@code /svc-0}. */
  private static boolean keyEndsWithSvc0(byte[] b, int start, int length) {
    if (length < 2 || b[start] != 0x0a) {
      return false;
    }
    int[] at = {start + 1};
    int keyLength = (int) varint(b, at);
    int keyEnd = at[0] + keyLength;
    if (keyLength < SVC0.length || keyEnd > start + length) {
      return false;
    }
    return Arrays.equals(b, keyEnd - SVC0.length, keyEnd, SVC0, 0, SVC0.length);
  }

  private static long varint(byte[] b, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte x = b[at[0]++];
      value |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("malformed varint");
  }

}
