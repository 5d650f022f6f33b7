package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.cluster.LoadBalancing;
import io.mizzen.proxy.route.RetryPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of an {@link Exchange}: picks endpoints, takes or opens a connection from the
 * event loop's pool, retries as the route's policy allows, and relays the response objects to
 * the client as they come. Lives on the exchange's event loop.
 */
final class UpstreamLeg implements UpstreamOwner {
  private final Exchange ex;
  private final Cluster cluster;
  private final RetryPolicy retries;
  private final List<Endpoint> tried = new ArrayList<>(2);
  private Endpoint endpoint;
  private Channel upstream;
  /** The handler of {@link #upstream}, held so that no pipeline lookup is needed per request. */
  private UpstreamHandler upstreamHandler;
  private boolean upstreamReused;
  private boolean raceRetried;
  private int attempt;
  private int retriesHeld;
  private ScheduledFuture<?> tryTimer;
  private boolean responseStarted;
  private boolean interim;
  private boolean discarding;
  private boolean upstreamKeepAlive;
  private String newCookie;
  /** A response head not yet written to the client: see {@link #releaseHeldHead}. */
  private HttpResponse heldHead;

  UpstreamLeg(Exchange ex, Cluster cluster) {
    this.ex = ex;
    this.cluster = cluster;
    this.retries = ex.route.retries();
  }

  Channel upstream() {
    return upstream;
  }

  boolean discarding() {
    return discarding;
  }

  boolean responseStarted() {
    return responseStarted;
  }

  @Override
  public Channel client() {
    return ex.client;
  }

  void attempt() {
    LoadBalancing lb = cluster.policy().loadBalancing();
    if (attempt == 0 && lb.hashOn() == LoadBalancing.HashOn.COOKIE && lb.cookieTtlSeconds() > 0
        && ex.ctx.cookie(lb.hashKey()) == null) {
      // Envoy's cookie affinity: a client without the cookie gets one, hashed from now on.
      newCookie = lb.hashKey() + "=" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
      ex.request.headers().add(HttpHeaderNames.COOKIE, newCookie);
    }
    Endpoint picked;
    if (lb.kind() == LoadBalancing.Kind.PASSTHROUGH) {
      picked = OriginalDestination.of(ex);
    } else if (Cluster.PASSTHROUGH.equals(cluster.name()) && OriginalDestination.captured(ex) != null) {
      // Traffic to no known host (ALLOW_ANY) that iptables captured goes where the client dialled,
      // not to the Host header's name the PassthroughCluster holds.
      picked = OriginalDestination.captured(ex);
    } else {
      picked = cluster.pick(ex.ctx, tried);
    }
    if (picked == null) {
      ex.replyLocal(503, ResponseFlag.UH, "no healthy endpoint in cluster " + cluster.name(), "no healthy upstream");
      return;
    }
    attempt++;
    endpoint = picked;
    tried.add(picked);
    picked.activeRequestStarted();
    ex.log.upstream = picked;
    if (retries.perTryTimeout() != null) {
      int thisAttempt = attempt;
      tryTimer = ex.client.eventLoop().schedule(() -> onTryTimeout(thisAttempt),
          retries.perTryTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    UpstreamPool pool = ex.server().pool(ex.client.eventLoop());
    if (cluster.http2() && !ex.upgrade) {
      attemptStream(pool, picked);
      return;
    }
    Channel idle = raceRetried ? null : pool.poll(picked, cluster.policy());
    if (idle != null) {
      attach(idle, true);
    } else {
      int thisAttempt = attempt;
      ex.downstream.pause(DownstreamHandler.PAUSE_WAITING);
      ChannelFuture connecting = pool.connect(picked, cluster.policy());
      connecting.addListener(f -> onConnected(connecting.isSuccess() ? connecting.channel() : null, connecting.cause(),
          picked, thisAttempt));
    }
  }

  /**
   * An HTTP/2 upstream (WebSocket upgrades stay on HTTP/1.1): the exchange gets a stream of the
   * endpoint's connection, at once when it is open (a reused one), else once it is connected
   * (over TLS: an HTTP/1.1 connection when ALPN did not choose h2).
   */
  private void attemptStream(UpstreamPool pool, Endpoint picked) {
    io.netty.util.concurrent.Future<Channel> opening = pool.h2().stream(picked, cluster.policy(), !raceRetried);
    if (opening.isSuccess()) {
      attach(opening.getNow(), true);
      return;
    }
    int thisAttempt = attempt;
    ex.downstream.pause(DownstreamHandler.PAUSE_WAITING);
    opening.addListener(f -> onConnected(opening.isSuccess() ? opening.getNow() : null, opening.cause(),
        picked, thisAttempt));
  }

  /** A connection (or HTTP/2 stream) for an attempt: {@code ch} when it opened, else {@code cause}. */
  private void onConnected(Channel ch, Throwable cause, Endpoint target, int forAttempt) {
    if (ex.finished || forAttempt != attempt || upstream != null) {
      if (ch != null) {
        ex.server().pool(ex.client.eventLoop()).release(ch);
      }
      return;
    }
    if (ch == null) {
      cluster.recordFailure(target);
      endAttempt(false);
      if (retries.retriesConnectFailure() && mayRetry()) {
        retryAfterBackOff();
      } else {
        ex.log.flags |= attempt > 1 ? ResponseFlag.URX.bit() : 0;
        ex.replyLocal(503, ResponseFlag.UF, "connect to " + target.hostPort() + " failed: " + cause.getMessage(),
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
      }
      return;
    }
    attach(ch, false);
  }

  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    upstreamReused = reused;
    upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    ch.write(ex.request, ch.voidPromise());
    HttpContent c;
    if (attempt > 1 && ex.replay != null) {
      // A retry: part of the body went to an earlier attempt; send all of it again from the
      // kept copies, and drop what was waiting for that attempt.
      for (HttpContent kept : ex.replay) {
        ch.write(kept == LastHttpContent.EMPTY_LAST_CONTENT ? kept : kept.retainedDuplicate(), ch.voidPromise());
      }
      while ((c = ex.bufferedBody.poll()) != null) {
        c.release();
      }
    }
    while ((c = ex.bufferedBody.poll()) != null) {
      ch.write(c, ch.voidPromise());
    }
    // Written from a callback outside the client's read loop: it needs its own flush.
    ch.flush();
    ex.downstream.resume(DownstreamHandler.PAUSE_WAITING);
    if (!ch.isWritable()) {
      ex.downstream.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }
  }

  void onClientWritable() {
    if (upstream != null && ex.client.isWritable()) {
      upstream.config().setAutoRead(true);
      Channel connection = upstream.parent();
      if (connection != null) {
        // An HTTP/2 stream: reading again wrote its window update to the connection, and no
        // read of that connection is under way to flush it; unflushed, the upstream stalls.
        connection.flush();
      }
    }
  }

  @Override
  public void onUpstreamWritable() {
    ex.downstream.resume(DownstreamHandler.PAUSE_BACKPRESSURE);
  }

  @Override
  public void onUpstreamRead(Object msg) {
    if (ex.tunnel && msg instanceof io.netty.buffer.ByteBuf bytes) {
      ex.onUpstreamTunnelBytes(bytes);
    } else if (msg instanceof HttpResponse response) {
      onResponseHead(response);
    } else if (msg instanceof HttpContent content) {
      onResponseContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onResponseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      ReferenceCountUtil.release(response);
      noteUpstreamError(response.decoderResult().cause());
      upstream.close();
      return;
    }
    int status = response.status().code();
    if (status >= 100 && status < 200 && status != 101) {
      // 100 Continue: relay it, but the exchange goes on.
      interim = true;
      HopByHop.strip(response.headers());
      ex.client.write(response, ex.client.voidPromise());
      return;
    }
    Exchange.cancel(tryTimer);
    tryTimer = null;
    cluster.recordStatus(endpoint, status);
    boolean retriable = retries.retriesStatus(status)
        || (retries.onGrpcStatus() && retries.retriesGrpcStatus(response.headers().get("grpc-status")));
    if (retriable && mayRetry()) {
      discarding = true;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      ReferenceCountUtil.release(response);
      if (response instanceof LastHttpContent) {
        // An HTTP/2 upstream's answer that ended with its headers: nothing more comes.
        discarding = false;
        endAttempt(false);
        retryAfterBackOff();
      }
      return;
    }
    if (attempt > 1 && retriable) {
      ex.log.flags |= ResponseFlag.URX.bit();
    }
    responseStarted = true;
    ex.responseStarted();
    ex.releaseReplay();
    ex.log.status = status;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    ex.shapeResponseHead(response, newCookie == null ? null
        : newCookie + "; Max-Age=" + cluster.policy().loadBalancing().cookieTtlSeconds() + "; HttpOnly");
    if (status == 101 && ex.upgrade) {
      ex.startTunnel(response, upstream);
      return;
    }
    ex.setClientConnection(response.headers());
    if (response instanceof FullHttpResponse trailersOnly) {
      relayTrailersOnly(trailersOnly);
      return;
    }
    // Held until the rest of this read batch is seen: a body that ends in it goes out with the
    // head as one message (one pass through the client's pipeline, one buffer).
    if (upstream.parent() == null && !io.mizzen.proxy.h2.Http2Streams.isStream(ex.client)) {
      heldHead = response;
    } else {
      ex.client.write(response, ex.client.voidPromise());
    }
  }

  /**
   * Writes a response head still held back ({@link #onResponseHead}) to the client. Called before
   * anything else goes to the client, and when the upstream's read batch ends.
   */
  @Override
  public void releaseHeldHead() {
    HttpResponse head = heldHead;
    if (head != null) {
      heldHead = null;
      ex.client.write(head, ex.client.voidPromise());
    }
  }

  /** gRPC's trailers-only answer from an HTTP/2 upstream: whole to an HTTP/2 client, else as head and trailers. */
  private void relayTrailersOnly(FullHttpResponse full) {
    if (io.mizzen.proxy.h2.Http2Streams.isStream(ex.client)) {
      ex.client.writeAndFlush(full, ex.client.voidPromise());
      endAttempt(false);
      ex.finish();
      return;
    }
    LastHttpContent trailers = H2ResponseShape.statusToTrailers(full);
    ex.client.write(new io.netty.handler.codec.http.DefaultHttpResponse(full.protocolVersion(), full.status(),
        full.headers()), ex.client.voidPromise());
    onResponseContent(trailers);
  }

  private void onResponseContent(HttpContent content) {
    if (ex.tunnel) {
      // The decoder's end of the 101 response; frames follow as raw bytes.
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (interim) {
      ex.client.write(content, ex.client.voidPromise());
      interim = !last;
      return;
    }
    if (discarding) {
      content.release();
      if (last) {
        discarding = false;
        endAttempt(upstreamKeepAlive && ex.requestComplete);
        retryAfterBackOff();
      }
      return;
    }
    if (last && content.decoderResult().isFailure()) {
      // A premature close inside a sized body: never pass a truncated response on as complete.
      content.release();
      ex.log.flags |= ResponseFlag.UC.bit();
      ex.log.detail = "upstream closed inside the response body";
      endAttempt(false);
      cutClient();
      return;
    }
    ex.log.bytesSent += content.content().readableBytes();
    HttpResponse head = heldHead;
    if (head != null && last && ((LastHttpContent) content).trailingHeaders().isEmpty()) {
      heldHead = null;
      ex.client.writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpResponse(head.protocolVersion(),
          head.status(), content.content(), head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE),
          ex.client.voidPromise());
      endAttempt(upstreamKeepAlive && ex.requestComplete);
      ex.finish();
      return;
    }
    releaseHeldHead();
    if (last) {
      // The end of a response is flushed at once: the exchange is over, and nothing later in
      // this read batch may still own the client to flush it.
      ex.client.writeAndFlush(content, ex.client.voidPromise());
    } else {
      ex.client.write(content, ex.client.voidPromise());
    }
    if (last) {
      endAttempt(upstreamKeepAlive && ex.requestComplete);
      ex.finish();
    }
  }

  /**
   * The response broke after its head: what came is flushed, then the connection cut
   * ({@link DownstreamHandler#exchangeDone}; an HTTP/2 stream reset). A head still held: a 503.
   */
  private void cutClient() {
    if (heldHead != null) {
      heldHead = null;
      ex.replyLocal(503, ResponseFlag.UC, ex.log.detail,
          "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
      return;
    }
    ex.closeClientAfter = true;
    if (io.mizzen.proxy.h2.Http2Streams.isStream(ex.client)) {
      ex.client.close();
    }
    ex.finish();
  }

  @Override
  public void noteUpstreamError(Throwable cause) {
    if (ex.log.detail == null) {
      ex.log.detail = "upstream error: " + cause.getMessage();
    }
  }

  @Override
  public void onUpstreamClosed(Channel ch) {
    if (ex.finished || ch != upstream) {
      return;
    }
    upstream = null;
    boolean sawNothing = !responseStarted && !discarding && !interim;
    endpoint.activeRequestEnded();
    Exchange.cancel(tryTimer);
    if (ex.tunnel) {
      // An upgraded connection ends when either side closes it.
      ex.closeClientAfter = true;
      ex.finish();
      return;
    }
    if (responseStarted) {
      ex.log.flags |= ResponseFlag.UC.bit();
      ex.log.detail = "upstream closed before the response was complete";
      cutClient();
      return;
    }
    if (sawNothing && upstreamReused && !raceRetried && ex.idempotent && ex.requestComplete && ex.replayable) {
      // The keep-alive race: the upstream closed a pooled connection as we reused it. Try once
      // more on a fresh connection, without counting it as a retry.
      raceRetried = true;
      tried.remove(endpoint);
      attempt();
      return;
    }
    cluster.recordFailure(endpoint);
    if (retries.retriesReset() && mayRetry()) {
      retryAfterBackOff();
      return;
    }
    ex.replyLocal(503, ResponseFlag.UC, "upstream " + endpoint.hostPort() + " closed the connection before the response",
        "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
  }

  private void onTryTimeout(int forAttempt) {
    if (ex.finished || responseStarted || forAttempt != attempt) {
      return;
    }
    tryTimer = null;
    cluster.recordFailure(endpoint);
    endAttempt(false);
    if (mayRetry()) {
      retryAfterBackOff();
    } else {
      ex.replyLocal(504, ResponseFlag.UT, "per-try timeout " + retries.perTryTimeout() + " reached", "upstream request timeout");
    }
  }

  /**
   * Envoy's retry back-off: a random wait up to 25 ms doubled per retry (capped at 250 ms), so
   * that retries of many requests do not hit a recovering host at the same instant.
   */
  private void retryAfterBackOff() {
    long ceiling = Math.min(250, 25L << Math.min(4, Math.max(0, attempt - 1)));
    long wait = java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling + 1);
    ex.downstream.pause(DownstreamHandler.PAUSE_WAITING);
    ex.client.eventLoop().schedule(() -> {
      if (!ex.finished) {
        attempt();
      }
    }, wait, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The route timeout fired before a response head. */
  void timedOut() {
    if (upstream != null) {
      cluster.recordFailure(endpoint);
    }
    endAttempt(false);
  }

  private boolean mayRetry() {
    if (attempt > retries.attempts() || !ex.requestComplete || !ex.replayable || responseStarted) {
      return false;
    }
    if (!cluster.admitRetry()) {
      return false;
    }
    retriesHeld++;
    return true;
  }

  /** Lets go of the current upstream connection: back to the pool if it is clean, else closed. */
  void endAttempt(boolean reusable) {
    Exchange.cancel(tryTimer);
    tryTimer = null;
    Channel ch = upstream;
    if (ch == null) {
      return;
    }
    upstream = null;
    endpoint.activeRequestEnded();
    UpstreamHandler handler = upstreamHandler;
    upstreamHandler = null;
    handler.detach();
    if (reusable) {
      ex.server().pool(ch.eventLoop()).release(ch, handler);
    } else {
      ch.close();
    }
  }

  /** Gives back the cluster slots this request held. */
  void release() {
    Exchange.cancel(tryTimer);
    cluster.releaseRequest();
    for (; retriesHeld > 0; retriesHeld--) {
      cluster.releaseRetry();
    }
  }
}
