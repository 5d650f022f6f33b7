package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.filter.FilterStep;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.route.Route;
import io.mizzen.proxy.route.RouteResult;
import io.mizzen.spi.filter.LocalReply;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through the proxy, owned by its client connection's event loop from the
 * request head to the last response byte. This class is the client's side: routing, the filter
 * chain, the route action, the request body, what a response head must become for the client
 * ({@link #shapeResponseHead}), an upgraded connection's tunnel both ways, and
 * {@link #replyLocal}, the one place that turns a local decision or failure into a status with a
 * response flag. The upstream side (attempts, retries, timeouts, the response relay) is its
 * {@link UpstreamLeg}.
 */
final class Exchange {
  final DownstreamHandler downstream;
  final Channel client;
  final HttpRequest request;
  final RequestContext ctx;
  final ExchangeLog log;
  final boolean idempotent;
  private final boolean clientKeepAlive;

  // Sized for the common case, a body that waits for the connection in at most a piece or two.
  final ArrayDeque<HttpContent> bufferedBody = new ArrayDeque<>(2);
  boolean requestComplete;
  /** Copies of the request body kept while a retry may still need to send it again. */
  java.util.ArrayList<HttpContent> replay;
  private int replayBytes;
  /** Whether the whole body received so far is kept for a retry (bodies up to 64 KiB are). */
  boolean replayable = true;
  private static final int REPLAY_LIMIT = 64 * 1024;

  Route route;
  Destination destination;
  private UpstreamLeg leg;
  private ScheduledFuture<?> routeTimer;
  private ScheduledFuture<?> delayTimer;
  boolean closeClientAfter;
  boolean finished;
  /** The client asked to upgrade to WebSocket. */
  boolean upgrade;
  /** The upgrade was accepted: both connections now carry raw bytes until one closes. */
  boolean tunnel;

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

  ProxyServer server() {
    return downstream.core();
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
    List<ProxyFilter> filters = server().filters();
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
        wait.outcome().onComplete(ar -> client.eventLoop().execute(() -> resumeAfterWait(ar, wait, next)));
        return;
      }
    }
    forward();
  }

  private void resumeAfterWait(io.vertx.core.AsyncResult<LocalReply> ar, FilterStep.Wait wait, int next) {
    if (finished) {
      return;
    }
    if (ar.failed()) {
      String why = "filter failed: " + ar.cause().getMessage();
      replyLocal(500, null, why, why);
    } else if (ar.result() != null) {
      LocalReply r = ar.result();
      replyLocal(r.status(), null, "answered by a filter", r.body(), r);
    } else {
      if (wait.onResume() != null) {
        try {
          wait.onResume().run();
        } catch (RuntimeException e) {
          String why = "filter failed: " + e.getMessage();
          replyLocal(500, null, why, why);
          return;
        }
      }
      runFilters(next);
    }
  }

  /** The route action: redirect, direct response, or a weighted destination upstream. */
  private void forward() {
    if (route.redirect() != null) {
      Route.Redirect r = route.redirect();
      String host = r.authority() != null ? r.authority() : r.scheme() != null ? ctx.host() : ctx.authority();
      String path = r.uri() != null ? r.uri() : ctx.uri();
      LocalReply reply = new LocalReply(r.status(), Map.of("location",
          (r.scheme() != null ? r.scheme() : ctx.scheme()) + "://" + host + path), "");
      replyLocal(r.status(), null, "redirect", "", reply);
      return;
    }
    if (route.directResponse() != null) {
      Route.DirectResponse d = route.directResponse();
      replyLocal(d.status(), null, "direct response", d.body());
      return;
    }
    destination = route.choose();
    log.cluster = destination.clusterName();
    RouteFilters.rewrite(route, ctx);
    route.requestOps().apply(request.headers());
    destination.requestOps().apply(request.headers());
    if (route.mirror() != null) {
      server().mirror(route, ctx, client.eventLoop());
    }
    if (destination.cluster() == null || destination.cluster().endpoints().isEmpty()) {
      replyLocal(503, ResponseFlag.UH, "cluster " + destination.clusterName() + " has no endpoints", "no healthy upstream");
      return;
    }
    String overflow = destination.cluster().admitRequest();
    if (overflow != null) {
      replyLocal(503, ResponseFlag.UO, overflow, "upstream connect error or disconnect/reset before headers. reset reason: overflow");
      return;
    }
    leg = new UpstreamLeg(this, destination.cluster());
    if (route.timeout() != null) {
      routeTimer = client.eventLoop().schedule(this::onRouteTimeout, route.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    leg.attempt();
  }

  private void onRouteTimeout() {
    routeTimer = null;
    if (finished || leg.responseStarted()) {
      return;
    }
    leg.timedOut();
    replyLocal(504, ResponseFlag.UT, "route timeout " + route.timeout() + " reached", "upstream request timeout");
  }

  /** The response head is on its way: the route timeout no longer applies. */
  void responseStarted() {
    cancel(routeTimer);
    routeTimer = null;
  }

  /** A request body piece from the client. */
  void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    int bytes = content.content().readableBytes();
    log.bytesReceived += bytes;
    HttpContent piece = content;
    if (last) {
      requestComplete = true;
      if (bytes == 0 && ((LastHttpContent) content).trailingHeaders().isEmpty()) {
        content.release();
        piece = LastHttpContent.EMPTY_LAST_CONTENT;
      }
    }
    if (replayable && !finished) {
      if (replayBytes + bytes > REPLAY_LIMIT) {
        replayable = false;
        releaseReplay();
      } else {
        if (replay == null) {
          replay = new java.util.ArrayList<>(2);
        }
        // A duplicate shares the bytes (no copy); it only keeps them alive for a retry.
        replay.add(piece == LastHttpContent.EMPTY_LAST_CONTENT ? piece : piece.retainedDuplicate());
        replayBytes += bytes;
      }
    }
    Channel upstream = leg == null ? null : leg.upstream();
    if (finished) {
      ReferenceCountUtil.release(piece);
    } else if (upstream != null && !leg.discarding()) {
      upstream.write(piece, upstream.voidPromise());
      downstream.upstreamNeedsFlush(upstream);
    } else {
      bufferedBody.add(piece);
    }
  }

  /** Raw bytes from the client of an upgraded connection. */
  void onTunnelBytes(io.netty.buffer.ByteBuf bytes) {
    Channel upstream = leg == null ? null : leg.upstream();
    if (finished || upstream == null) {
      bytes.release();
      return;
    }
    log.bytesReceived += bytes.readableBytes();
    upstream.write(bytes, upstream.voidPromise());
    downstream.upstreamNeedsFlush(upstream);
  }

  /**
   * The upstream accepted the WebSocket upgrade: relay its 101, then take the HTTP codecs out of
   * both connections so that frames pass as raw bytes, with the same flow control as bodies.
   */
  void startTunnel(HttpResponse response, Channel upstream) {
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    tunnel = true;
    client.writeAndFlush(response, client.voidPromise());
    // Removing a decoder hands on the bytes it already holds, so nothing read early is lost.
    client.pipeline().remove(Http1ServerCodec.class);
    upstream.pipeline().remove(Http1ClientCodec.class);
  }

  /** Raw bytes from the upstream of an upgraded connection. */
  void onUpstreamTunnelBytes(io.netty.buffer.ByteBuf bytes) {
    log.bytesSent += bytes.readableBytes();
    client.write(bytes, client.voidPromise());
  }

  void onClientWritable() {
    if (leg != null) {
      leg.onClientWritable();
    }
  }

  /**
   * Makes an upstream's response head the client's: hop-by-hop headers out, the filters' and the
   * route's and destination's response operations in, {@code setCookie} (a consistent-hash
   * cookie just issued, or null) added, and a close-delimited body re-framed chunked so the
   * client connection survives it.
   */
  void shapeResponseHead(HttpResponse response, String setCookie) {
    HopByHop.strip(response.headers());
    for (ProxyFilter f : server().filters()) {
      f.onResponse(ctx, response);
    }
    if (setCookie != null) {
      response.headers().add(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    route.responseOps().apply(response.headers());
    destination.responseOps().apply(response.headers());
    int status = response.status().code();
    boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status == 101;
    if (!bodyless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
  }

  /** Sets the client connection's fate on a response head: kept alive, or closed after. */
  void setClientConnection(HttpHeaders headers) {
    if (closeClientAfter || !clientKeepAlive || server().draining()) {
      closeClientAfter = true;
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (request.protocolVersion().minorVersion() == 0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  /** The client went away mid-exchange. */
  void onClientClosed() {
    if (finished) {
      return;
    }
    if (!tunnel) {
      log.flags |= ResponseFlag.DC.bit();
    }
    if (leg != null) {
      leg.endAttempt(false);
    }
    finish();
  }

  /** The client stalled past the idle timeout. */
  void onClientIdle() {
    if (!finished && !requestComplete && (leg == null || !leg.responseStarted())) {
      closeClientAfter = true;
      replyLocal(408, null, "client sent no data for the idle timeout", "request timeout");
    }
  }

  void replyLocal(int status, ResponseFlag flag, String detail, String body) {
    replyLocal(status, flag, detail, body, null);
  }

  /** The one place that turns a local decision or a failure into a response for the client. */
  void replyLocal(int status, ResponseFlag flag, String detail, String body, LocalReply reply) {
    if (finished) {
      return;
    }
    if (leg != null) {
      leg.endAttempt(false);
    }
    if (flag != null) {
      log.flags |= flag.bit();
    }
    log.detail = detail;
    log.status = status;
    // A body still on its way is read and dropped by the connection, which stays usable.
    HttpResponse response = LocalReplies.response(request, status, body, reply);
    if (route != null) {
      for (ProxyFilter f : server().filters()) {
        f.onResponse(ctx, response);
      }
    }
    setClientConnection(response.headers());
    log.bytesSent += LocalReplies.bodyLength(response);
    client.writeAndFlush(response, client.voidPromise());
    finish();
  }

  /** Ends the exchange: timers, limits, buffered body, the access log, then the next request. */
  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    cancel(routeTimer);
    cancel(delayTimer);
    if (leg != null) {
      leg.release();
    }
    HttpContent c;
    while ((c = bufferedBody.poll()) != null) {
      c.release();
    }
    releaseReplay();
    log.finish();
    downstream.exchangeDone(this, closeClientAfter);
  }

  /** Drops the kept body copies: no retry can happen any more. */
  void releaseReplay() {
    if (replay != null) {
      for (HttpContent c : replay) {
        ReferenceCountUtil.release(c);
      }
      replay = null;
    }
  }

  static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
