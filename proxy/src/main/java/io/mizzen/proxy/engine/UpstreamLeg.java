package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.route.RetryPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
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
  private boolean upstreamReused;
  private boolean raceRetried;
  private int attempt;
  private int retriesHeld;
  private ScheduledFuture<?> tryTimer;
  private boolean responseStarted;
  private boolean interim;
  private boolean discarding;
  private boolean upstreamKeepAlive;

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
    Endpoint picked = cluster.pick(ex.ctx, tried);
    if (picked == null) {
      ex.replyLocal(503, ResponseFlag.UH, "no healthy endpoint in cluster " + cluster.name(), "no healthy upstream");
      return;
    }
    attempt++;
    endpoint = picked;
    tried.add(picked);
    picked.activeRequestStarted();
    ex.log.upstreamHost = picked.hostPort();
    if (retries.perTryTimeout() != null) {
      int thisAttempt = attempt;
      tryTimer = ex.client.eventLoop().schedule(() -> onTryTimeout(thisAttempt),
          retries.perTryTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    UpstreamPool pool = ex.server().pool(ex.client.eventLoop());
    Channel idle = raceRetried ? null : pool.poll(picked);
    if (idle != null) {
      attach(idle, true);
    } else {
      int thisAttempt = attempt;
      ex.downstream.pause(DownstreamHandler.PAUSE_WAITING);
      ChannelFuture connecting = pool.connect(picked, cluster.policy());
      connecting.addListener(f -> onConnected(connecting, picked, thisAttempt));
    }
  }

  private void onConnected(ChannelFuture f, Endpoint target, int forAttempt) {
    if (ex.finished || forAttempt != attempt || upstream != null) {
      if (f.isSuccess()) {
        ex.server().pool(ex.client.eventLoop()).release(f.channel());
      }
      return;
    }
    if (!f.isSuccess()) {
      cluster.recordFailure(target);
      endAttempt(false);
      if (retries.retriesConnectFailure() && mayRetry()) {
        attempt();
      } else {
        ex.log.flags |= attempt > 1 ? ResponseFlag.URX.bit() : 0;
        ex.replyLocal(503, ResponseFlag.UF, "connect to " + target.hostPort() + " failed: " + f.cause().getMessage(),
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
      }
      return;
    }
    attach(f.channel(), false);
  }

  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    upstreamReused = reused;
    ch.pipeline().get(UpstreamHandler.class).attach(this);
    ch.write(ex.request, ch.voidPromise());
    if (ex.bufferedBody.isEmpty() && attempt > 1 && ex.requestComplete) {
      // A retry: the (empty) body went with an earlier attempt; end the request again.
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    HttpContent c;
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
    }
  }

  @Override
  public void onUpstreamWritable() {
    ex.downstream.resume(DownstreamHandler.PAUSE_BACKPRESSURE);
  }

  @Override
  public void onUpstreamRead(Object msg) {
    if (msg instanceof HttpResponse response) {
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
    if (retries.retriesStatus(status) && mayRetry()) {
      discarding = true;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      ReferenceCountUtil.release(response);
      return;
    }
    if (attempt > 1 && retries.retriesStatus(status)) {
      ex.log.flags |= ResponseFlag.URX.bit();
    }
    responseStarted = true;
    ex.responseStarted();
    ex.log.status = status;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    HopByHop.strip(response.headers());
    for (ProxyFilter f : ex.server().filters()) {
      f.onResponse(ex.ctx, response);
    }
    ex.route.responseOps().apply(response.headers());
    ex.destination.responseOps().apply(response.headers());
    boolean bodyless = ex.request.method() == HttpMethod.HEAD || status == 204 || status == 304;
    if (!bodyless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
      // A close-delimited upstream body: re-frame it chunked so the client connection survives.
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    ex.setClientConnection(response.headers());
    ex.client.write(response, ex.client.voidPromise());
  }

  private void onResponseContent(HttpContent content) {
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
        attempt();
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

  private void cutClient() {
    ex.closeClientAfter = true;
    ex.client.close();
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
    if (responseStarted) {
      ex.log.flags |= ResponseFlag.UC.bit();
      ex.log.detail = "upstream closed before the response was complete";
      cutClient();
      return;
    }
    if (sawNothing && upstreamReused && !raceRetried && ex.idempotent && ex.requestComplete && ex.requestBodyEmpty) {
      // The keep-alive race: the upstream closed a pooled connection as we reused it. Try once
      // more on a fresh connection, without counting it as a retry.
      raceRetried = true;
      tried.remove(endpoint);
      attempt();
      return;
    }
    cluster.recordFailure(endpoint);
    if (retries.retriesReset() && mayRetry()) {
      attempt();
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
      attempt();
    } else {
      ex.replyLocal(504, ResponseFlag.UT, "per-try timeout " + retries.perTryTimeout() + " reached", "upstream request timeout");
    }
  }

  /** The route timeout fired before a response head. */
  void timedOut() {
    if (upstream != null) {
      cluster.recordFailure(endpoint);
    }
    endAttempt(false);
  }

  private boolean mayRetry() {
    if (attempt > retries.attempts() || !ex.requestComplete || !ex.requestBodyEmpty || responseStarted) {
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
    ch.pipeline().get(UpstreamHandler.class).detach();
    if (reusable) {
      ex.server().pool(ch.eventLoop()).release(ch);
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
