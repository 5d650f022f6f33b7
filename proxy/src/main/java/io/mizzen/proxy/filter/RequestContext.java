package io.mizzen.proxy.filter;

import io.mizzen.proxy.cluster.RequestKeys;
import io.mizzen.spi.filter.RequestView;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request as routing and filters see it: the parsed head (method, path, query, authority,
 * port), who sent it, and typed per-request state. Lives on one event loop, so nothing here is
 * synchronized. Header changes go straight to the request that will be forwarded.
 */
public final class RequestContext implements RequestKeys, RequestView {
  private final HttpRequest request;
  private final String listener;
  private final String scheme;
  private final int port;
  private final String sourceIp;
  private final Map<String, String> sourceLabels;
  private final Set<String> gateways;
  private String path;
  private String query;
  private String authority;
  private String sourcePrincipal;
  private Object[] slots = new Object[8];
  private int slotCount;

  /**
   * @param request the request being forwarded (its headers are edited in place)
   * @param listener the listener's name, such as {@code outbound}
   * @param scheme {@code http} or {@code https}
   * @param port the port the request arrived on (or addressed, for outbound)
   * @param sourceIp the client's address
   * @param sourceLabels the labels of the workload sending (the sidecar's own for outbound)
   * @param gateways the gateways this proxy serves as, or {@code mesh} for a sidecar
   */
  public RequestContext(HttpRequest request, String listener, String scheme, int port, String sourceIp,
      Map<String, String> sourceLabels, Set<String> gateways) {
    this.request = request;
    this.listener = listener;
    this.scheme = scheme;
    this.port = port;
    this.sourceIp = sourceIp;
    this.sourceLabels = sourceLabels;
    this.gateways = gateways;
    String uri = request.uri();
    int q = uri.indexOf('?');
    this.path = q < 0 ? uri : uri.substring(0, q);
    this.query = q < 0 ? "" : uri.substring(q + 1);
    String host = request.headers().get(HttpHeaderNames.HOST);
    this.authority = host == null ? "" : host;
  }

  /** The request that will be forwarded. */
  public HttpRequest request() {
    return request;
  }

  public String listener() {
    return listener;
  }

  public String scheme() {
    return scheme;
  }

  public int port() {
    return port;
  }

  /** The path without its query. */
  public String path() {
    return path;
  }

  /** The raw query string without {@code ?}, empty when none. */
  public String query() {
    return query;
  }

  public Map<String, String> sourceLabels() {
    return sourceLabels;
  }

  public Set<String> gateways() {
    return gateways;
  }

  public HttpHeaders headers() {
    return request.headers();
  }

  /** Replaces the path (and query) that goes upstream, as a rewrite does. */
  public void rewriteUri(String newPath, String newQuery) {
    this.path = newPath;
    this.query = newQuery;
    request.setUri(newQuery.isEmpty() ? newPath : newPath + "?" + newQuery);
  }

  /** Replaces the authority that goes upstream. */
  public void rewriteAuthority(String newAuthority) {
    this.authority = newAuthority;
    request.headers().set(HttpHeaderNames.HOST, newAuthority);
  }

  /** The value stored under a key, or {@code null}. */
  public <T> T get(ContextKey<T> key) {
    for (int i = 0; i < slotCount; i += 2) {
      if (slots[i] == key) {
        return key.cast(slots[i + 1]);
      }
    }
    return null;
  }

  /** Stores a value under a key, replacing any earlier one. */
  public <T> void put(ContextKey<T> key, T value) {
    for (int i = 0; i < slotCount; i += 2) {
      if (slots[i] == key) {
        slots[i + 1] = value;
        return;
      }
    }
    if (slotCount == slots.length) {
      slots = java.util.Arrays.copyOf(slots, slots.length * 2);
    }
    slots[slotCount++] = key;
    slots[slotCount++] = value;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String uri() {
    return request.uri();
  }

  @Override
  public String authority() {
    return authority;
  }

  /** The authority without its port. */
  public String host() {
    String a = authority;
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return end < 0 ? a : a.substring(0, end + 1);
    }
    int colon = a.lastIndexOf(':');
    return colon < 0 ? a : a.substring(0, colon);
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
  }

  @Override
  public List<String> headers(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public void setHeader(String name, String value) {
    request.headers().set(name, value);
  }

  @Override
  public void removeHeader(String name) {
    request.headers().remove(name);
  }

  /**
   * The caller's identity as its mutual-TLS certificate proved it
   * ({@code cluster.local/ns/default/sa/productpage}), or {@code null} without one. Only the
   * inbound listener sets it, from the TLS session, never from a header.
   */
  @Override
  public String sourcePrincipal() {
    return sourcePrincipal;
  }

  /** Set by the inbound listener from the TLS session; see {@link #sourcePrincipal()}. */
  public void provenPrincipal(String principal) {
    this.sourcePrincipal = principal;
  }

  @Override
  public String cookie(String name) {
    for (String raw : request.headers().getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(raw)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }

  @Override
  public String sourceIp() {
    return sourceIp;
  }

  @Override
  public String queryParameter(String name) {
    return QueryString.first(query, name);
  }
}
