package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.filter.FilterStep;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.route.Route;
import io.mizzen.proxy.route.RouteResult;
import io.mizzen.spi.filter.LocalReply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through the proxy, owned by its client connection's event loop from the
 * request head to the last response byte: routing and filters, then upstream attempts with
 * timeout and retries, then the response streamed back. Every local failure ends in
 * {@link #replyLocal}, the one place that turns it into a status with a response flag.
 */
final class Exchange implements UpstreamOwner {
  private final DownstreamHandler downstream;
  private final Channel client;
  final HttpRequest request;
  final RequestContext ctx;
  private final ExchangeLog log;
  private final boolean clientKeepAlive;
  private final boolean idempotent;

  private final ArrayDeque<HttpContent> bufferedBody = new ArrayDeque<>();
  boolean requestComplete;
  private boolean requestBodyEmpty = true;

  private Route route;
  private Destination destination;
  private Cluster cluster;
  private boolean admitted;
  private int retriesHeld;
  private final List<Endpoint> tried = new ArrayList<>(2);
  private Endpoint endpoint;
  private Channel upstream;
  private boolean upstreamReused;
  private boolean raceRetried;
  private int attempt;
  private ScheduledFuture<?> routeTimer;
  private ScheduledFuture<?> tryTimer;
  private ScheduledFuture<?> delayTimer;

  private boolean responseStarted;
  private boolean interim;
  private boolean discarding;
  private boolean upstreamKeepAlive;
  private boolean closeClientAfter;
  private boolean finished;

  Exchange(DownstreamHandler downstream, HttpRequest request, RequestContext ctx, ExchangeLog log) {
    this.downstream = downstream;
    this.client = downstream.channel();
    this.request = request;
    this.ctx = ctx;
    this.log = log;
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    HttpMethod m = request.method();
    this.idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS
        || m == HttpMethod.PUT || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
  }

  @Override
  public Channel client() {
    return client;
  }

  boolean finished() {
    return finished;
  }

  /** Routes the request and runs the filter chain; called once the head is in. */
  void start(RouteResult routed) {
    if (routed.route() == null) {
      replyLocal(routed.status(), routed.flag(), routed.detail(), routed.detail());
      return;
    }
    route = routed.route();
    log.route = route.name();
    ctx.put(RouteFilters.ROUTE, route);
    runFilters(0);
  }

  private void runFilters(int from) {
    List<ProxyFilter> filters = downstream.core().filters();
    for (int i = from; i < filters.size(); i++) {
      FilterStep step = filters.get(i).onRequest(ctx);
      if (step == null) {
        continue;
      }
      int next = i + 1;
      if (step instanceof FilterStep.Reply reply) {
        LocalReply r = reply.reply();
        replyLocal(r.status(), reply.flag(), reply.detail(), r.body(), r);
        return;
      } else if (step instanceof FilterStep.Delay delay) {
        if (delay.flag() != null) {
          log.flags |= delay.flag().bit();
        }
        downstream.pause(DownstreamHandler.PAUSE_WAITING);
        delayTimer = client.eventLoop().schedule(() -> {
          delayTimer = null;
          if (!finished) {
            runFilters(next);
          }
        }, delay.delay().toNanos(), TimeUnit.NANOSECONDS);
        return;
      } else if (step instanceof FilterStep.Wait wait) {
        downstream.pause(DownstreamHandler.PAUSE_WAITING);
        wait.outcome().onComplete(ar -> client.eventLoop().execute(() -> {
          if (finished) {
            return;
          }
          if (ar.failed()) {
            replyLocal(500, null, "filter failed: " + ar.cause().getMessage(), "filter failed: " + ar.cause().getMessage());
          } else if (ar.result() != null) {
            LocalReply r = ar.result();
            replyLocal(r.status(), null, "answered by a filter", r.body(), r);
          } else {
            runFilters(next);
          }
        }));
        return;
      }
    }
    forward();
  }

  /** The route action: redirect, direct response, or a weighted destination upstream. */
  private void forward() {
    if (route.redirect() != null) {
      Route.Redirect r = route.redirect();
      String host = r.authority() != null ? r.authority() : ctx.authority();
      String path = r.uri() != null ? r.uri() : ctx.uri();
      LocalReply reply = new LocalReply(r.status(), java.util.Map.of("location", ctx.scheme() + "://" + host + path), "");
      replyLocal(r.status(), null, "redirect", "", reply);
      return;
    }
    if (route.directResponse() != null) {
      Route.DirectResponse d = route.directResponse();
      replyLocal(d.status(), null, "direct response", d.body());
      return;
    }
    destination = route.destinations().size() == 1
        ? route.destinations().get(0)
        : route.pick(ThreadLocalRandom.current().nextInt(Math.max(1, route.totalWeight())));
    cluster = destination.cluster();
    log.cluster = destination.clusterName();
    RouteFilters.rewrite(route, ctx);
    route.requestOps().apply(request.headers());
    destination.requestOps().apply(request.headers());
    if (route.mirror() != null) {
      downstream.core().mirror(route, ctx, client.eventLoop());
    }
    if (cluster == null || cluster.endpoints().isEmpty()) {
      replyLocal(503, ResponseFlag.UH, "cluster " + destination.clusterName() + " has no endpoints", "no healthy upstream");
      return;
    }
    String overflow = cluster.admitRequest();
    if (overflow != null) {
      replyLocal(503, ResponseFlag.UO, overflow, "upstream connect error or disconnect/reset before headers. reset reason: overflow");
      return;
    }
    admitted = true;
    if (route.timeout() != null && !route.timeout().isZero()) {
      routeTimer = client.eventLoop().schedule(this::onRouteTimeout, route.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    attempt();
  }

  private void attempt() {
    Endpoint picked = cluster.pick(ctx, tried);
    if (picked == null) {
      replyLocal(503, ResponseFlag.UH, "no healthy endpoint in cluster " + cluster.name(), "no healthy upstream");
      return;
    }
    attempt++;
    endpoint = picked;
    tried.add(picked);
    picked.activeRequestStarted();
    log.upstreamHost = picked.hostPort();
    if (route.retries().perTryTimeout() != null) {
      int thisAttempt = attempt;
      tryTimer = client.eventLoop().schedule(() -> onTryTimeout(thisAttempt),
          route.retries().perTryTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    UpstreamPool pool = downstream.core().pool(client.eventLoop());
    Channel idle = raceRetried ? null : pool.poll(picked);
    if (idle != null) {
      attach(idle, true);
    } else {
      int thisAttempt = attempt;
      downstream.pause(DownstreamHandler.PAUSE_WAITING);
      ChannelFuture connecting = pool.connect(picked, cluster.policy());
      connecting.addListener(f -> onConnected(connecting, picked, thisAttempt));
    }
  }

  private void onConnected(ChannelFuture f, Endpoint target, int forAttempt) {
    if (finished || forAttempt != attempt || upstream != null) {
      if (f.isSuccess()) {
        downstream.core().pool(client.eventLoop()).release(f.channel());
      }
      return;
    }
    if (!f.isSuccess()) {
      cluster.recordFailure(target);
      endAttempt(false);
      if (mayRetry() && route.retries().retriesConnectFailure()) {
        retry();
      } else {
        log.flags |= attempt > 1 ? ResponseFlag.URX.bit() : 0;
        replyLocal(503, ResponseFlag.UF, "connect to " + target.hostPort() + " failed: " + f.cause().getMessage(),
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
    ch.write(request, ch.voidPromise());
    if (bufferedBody.isEmpty() && attempt > 1 && requestComplete) {
      // A retry: the (empty) body went to the earlier attempt; end the request again.
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    }
    HttpContent c;
    while ((c = bufferedBody.poll()) != null) {
      ch.write(c, ch.voidPromise());
    }
    // Written from a callback outside the client's read loop: it needs its own flush.
    ch.flush();
    downstream.resume(DownstreamHandler.PAUSE_WAITING);
    if (!ch.isWritable()) {
      downstream.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }
  }

  /** A request body piece from the client. */
  void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    int bytes = content.content().readableBytes();
    log.bytesReceived += bytes;
    HttpContent piece = content;
    if (bytes > 0) {
      requestBodyEmpty = false;
    }
    if (last) {
      requestComplete = true;
      if (bytes == 0 && ((LastHttpContent) content).trailingHeaders().isEmpty()) {
        content.release();
        piece = LastHttpContent.EMPTY_LAST_CONTENT;
      }
    }
    if (finished) {
      ReferenceCountUtil.release(piece);
    } else if (upstream != null && !discarding) {
      upstream.write(piece, upstream.voidPromise());
      downstream.upstreamNeedsFlush(upstream);
    } else {
      bufferedBody.add(piece);
    }
  }

  void onClientWritable() {
    if (upstream != null && client.isWritable()) {
      upstream.config().setAutoRead(true);
    }
  }

  @Override
  public void onUpstreamWritable() {
    downstream.resume(DownstreamHandler.PAUSE_BACKPRESSURE);
  }

  /** A response object from the upstream connection this exchange owns. */
  @Override
  public void onUpstreamRead(Object msg) {
    if (msg instanceof HttpResponse response) {
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        noteUpstreamError(response.decoderResult().cause());
        upstream.close();
        return;
      }
      int status = response.status().code();
      if (status >= 100 && status < 200 && status != 101) {
        interim = true;
        HopByHop.strip(response.headers());
        client.write(response, client.voidPromise());
        return;
      }
      cancel(tryTimer);
      tryTimer = null;
      cluster.recordStatus(endpoint, status);
      if (route.retries().retriesStatus(status) && mayRetry()) {
        discarding = true;
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        ReferenceCountUtil.release(msg);
        return;
      }
      if (attempt > 1 && route.retries().retriesStatus(status)) {
        log.flags |= ResponseFlag.URX.bit();
      }
      startResponse(response, status);
    } else if (msg instanceof HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (interim) {
        client.write(content, client.voidPromise());
        interim = !last;
        return;
      }
      if (discarding) {
        content.release();
        if (last) {
          discarding = false;
          endAttempt(upstreamKeepAlive && requestComplete);
          retry();
        }
        return;
      }
      if (last && content.decoderResult().isFailure()) {
        // A premature close inside a sized body: never pass a truncated response on as complete.
        content.release();
        log.flags |= ResponseFlag.UC.bit();
        log.detail = "upstream closed inside the response body";
        endAttempt(false);
        closeClientAfter = true;
        client.close();
        finish();
        return;
      }
      log.bytesSent += content.content().readableBytes();
      client.write(content, client.voidPromise());
      if (last) {
        endAttempt(upstreamKeepAlive && requestComplete);
        finish();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void startResponse(HttpResponse response, int status) {
    responseStarted = true;
    cancel(routeTimer);
    routeTimer = null;
    log.status = status;
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    HopByHop.strip(response.headers());
    for (ProxyFilter f : downstream.core().filters()) {
      f.onResponse(ctx, response);
    }
    route.responseOps().apply(response.headers());
    destination.responseOps().apply(response.headers());
    boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304;
    if (!bodyless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
      // A close-delimited upstream body: re-frame it chunked so the client connection survives.
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    setClientConnection(response.headers());
    client.write(response, client.voidPromise());
  }

  private void setClientConnection(io.netty.handler.codec.http.HttpHeaders headers) {
    if (!clientKeepAlive || downstream.core().draining()) {
      closeClientAfter = true;
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (request.protocolVersion().majorVersion() == 1 && request.protocolVersion().minorVersion() == 0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  @Override
  public void noteUpstreamError(Throwable cause) {
    if (log.detail == null) {
      log.detail = "upstream error: " + cause.getMessage();
    }
  }

  /** The upstream connection closed while this exchange owned it. */
  @Override
  public void onUpstreamClosed(Channel ch) {
    if (finished || ch != upstream) {
      return;
    }
    upstream = null;
    boolean sawNothing = !responseStarted && !discarding && !interim;
    endpoint.activeRequestEnded();
    cancel(tryTimer);
    if (responseStarted) {
      log.flags |= ResponseFlag.UC.bit();
      log.detail = "upstream closed before the response was complete";
      closeClientAfter = true;
      client.close();
      finish();
      return;
    }
    if (sawNothing && upstreamReused && !raceRetried && idempotent && requestComplete && requestBodyEmpty) {
      // The keep-alive race: the upstream closed a pooled connection as we reused it. Try once
      // more on a fresh connection, without counting it as a retry.
      raceRetried = true;
      tried.remove(endpoint);
      attempt();
      return;
    }
    cluster.recordFailure(endpoint);
    if (mayRetry() && route.retries().retriesReset()) {
      retry();
      return;
    }
    replyLocal(503, ResponseFlag.UC, "upstream " + endpoint.hostPort() + " closed the connection before the response",
        "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
  }

  private void onTryTimeout(int forAttempt) {
    if (finished || responseStarted || forAttempt != attempt) {
      return;
    }
    tryTimer = null;
    cluster.recordFailure(endpoint);
    endAttempt(false);
    if (mayRetry()) {
      retry();
    } else {
      replyLocal(504, ResponseFlag.UT, "per-try timeout " + route.retries().perTryTimeout() + " reached", "upstream request timeout");
    }
  }

  private void onRouteTimeout() {
    routeTimer = null;
    if (finished || responseStarted) {
      return;
    }
    if (upstream != null) {
      cluster.recordFailure(endpoint);
    }
    endAttempt(false);
    replyLocal(504, ResponseFlag.UT, "route timeout " + route.timeout() + " reached", "upstream request timeout");
  }

  private boolean mayRetry() {
    if (attempt > route.retries().attempts() || !requestComplete || !requestBodyEmpty || responseStarted) {
      return false;
    }
    if (!cluster.admitRetry()) {
      return false;
    }
    retriesHeld++;
    return true;
  }

  private void retry() {
    if (finished) {
      return;
    }
    attempt();
  }

  /** Lets go of the current upstream connection: back to the pool if it is clean, else closed. */
  private void endAttempt(boolean reusable) {
    cancel(tryTimer);
    tryTimer = null;
    Channel ch = upstream;
    if (ch == null) {
      return;
    }
    upstream = null;
    endpoint.activeRequestEnded();
    ch.pipeline().get(UpstreamHandler.class).detach();
    if (reusable) {
      downstream.core().pool(ch.eventLoop()).release(ch);
    } else {
      ch.close();
    }
  }

  /** The client went away mid-exchange. */
  void onClientClosed() {
    if (finished) {
      return;
    }
    log.flags |= ResponseFlag.DC.bit();
    endAttempt(false);
    finish();
  }

  /** The client stalled past the idle timeout. */
  void onClientIdle() {
    if (finished) {
      return;
    }
    if (!responseStarted && !requestComplete) {
      replyLocal(408, null, "client sent no data for the idle timeout", "request timeout");
    }
  }

  private void replyLocal(int status, ResponseFlag flag, String detail, String body) {
    replyLocal(status, flag, detail, body, null);
  }

  /** The one place that turns a local decision or a failure into a response for the client. */
  private void replyLocal(int status, ResponseFlag flag, String detail, String body, LocalReply reply) {
    if (finished) {
      return;
    }
    endAttempt(false);
    if (flag != null) {
      log.flags |= flag.bit();
    }
    log.detail = detail;
    log.status = status;
    if (!requestComplete) {
      closeClientAfter = true;
    }
    HttpResponse response = LocalReplies.response(request, status, body, reply);
    if (route != null) {
      for (ProxyFilter f : downstream.core().filters()) {
        f.onResponse(ctx, response);
      }
    }
    setClientConnection(response.headers());
    log.bytesSent += LocalReplies.bodyLength(response);
    client.writeAndFlush(response, client.voidPromise());
    finish();
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    cancel(routeTimer);
    cancel(tryTimer);
    cancel(delayTimer);
    if (admitted) {
      cluster.releaseRequest();
    }
    for (; retriesHeld > 0; retriesHeld--) {
      cluster.releaseRetry();
    }
    HttpContent c;
    while ((c = bufferedBody.poll()) != null) {
      c.release();
    }
    log.finish();
    downstream.exchangeDone(this, closeClientAfter);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
