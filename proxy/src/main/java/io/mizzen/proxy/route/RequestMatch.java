package io.mizzen.proxy.route;

import io.mizzen.proxy.filter.RequestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code HTTPMatchRequest}: every field set must match (AND); unset fields match anything.
 *
 * @param name the match's name, for logs
 * @param uri path match, or {@code null}
 * @param scheme scheme match, or {@code null}
 * @param method method match, or {@code null}
 * @param authority authority match, or {@code null}
 * @param headers header name (lower case) to match
 * @param withoutHeaders headers that must not match
 * @param queryParams query parameter to match
 * @param port the port the request must be addressed to, 0 for any
 * @param sourceLabels labels the sending workload must carry
 * @param gateways gateways the request must come through; empty for the VirtualService's own
 * @param ignoreUriCase compare the uri case-insensitively
 */
public record RequestMatch(
    String name,
    StringMatch uri,
    StringMatch scheme,
    StringMatch method,
    StringMatch authority,
    Map<String, StringMatch> headers,
    Map<String, StringMatch> withoutHeaders,
    Map<String, StringMatch> queryParams,
    int port,
    Map<String, String> sourceLabels,
    Set<String> gateways,
    boolean ignoreUriCase) {

  /** Matches every request. */
  public static final RequestMatch ANY =
      new RequestMatch("", null, null, null, null, Map.of(), Map.of(), Map.of(), 0, Map.of(), Set.of(), false);

  public RequestMatch {
    headers = Map.copyOf(headers);
    withoutHeaders = Map.copyOf(withoutHeaders);
    queryParams = Map.copyOf(queryParams);
    sourceLabels = Map.copyOf(sourceLabels);
    gateways = Set.copyOf(gateways);
  }

  /** Whether the request satisfies every field of this match. */
  public boolean matches(RequestContext request) {
    if (uri != null && !uri.matches(request.path(), ignoreUriCase)) {
      return false;
    }
    if (scheme != null && !scheme.matches(request.scheme(), false)) {
      return false;
    }
    if (method != null && !method.matches(request.method(), false)) {
      return false;
    }
    if (authority != null && !authority.matches(request.authority(), false)) {
      return false;
    }
    if (port != 0 && port != request.port()) {
      return false;
    }
    for (Map.Entry<String, StringMatch> h : headers.entrySet()) {
      if (!anyMatches(request.headers(h.getKey()), h.getValue())) {
        return false;
      }
    }
    for (Map.Entry<String, StringMatch> h : withoutHeaders.entrySet()) {
      List<String> values = request.headers(h.getKey());
      if (h.getValue() == null ? !values.isEmpty() : anyMatches(values, h.getValue())) {
        return false;
      }
    }
    for (Map.Entry<String, StringMatch> q : queryParams.entrySet()) {
      if (!q.getValue().matches(request.queryParameter(q.getKey()), false)) {
        return false;
      }
    }
    for (Map.Entry<String, String> l : sourceLabels.entrySet()) {
      if (!l.getValue().equals(request.sourceLabels().get(l.getKey()))) {
        return false;
      }
    }
    if (!gateways.isEmpty()) {
      boolean any = false;
      for (String g : gateways) {
        if (request.gateways().contains(g)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyMatches(List<String> values, StringMatch match) {
    for (String v : values) {
      if (match.matches(v, false)) {
        return true;
      }
    }
    return false;
  }
}
