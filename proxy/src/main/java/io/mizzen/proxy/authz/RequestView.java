package io.mizzen.proxy.authz;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What authorization sees of a request.
 *
 * @param principal the peer's identity ({@code cluster.local/ns/default/sa/productpage}), empty
 *     without mutual TLS
 * @param namespace the peer's namespace, from its principal; empty without mutual TLS
 * @param sourceIp the downstream address
 * @param host the Host / :authority, without port
 * @param port the destination port
 * @param method the HTTP method
 * @param path the path, with any query
 * @param headers request headers, names in lower case
 * @param auth the verified end-user token ({@code request.auth.*}), or {@link RequestAuth#NONE}
 */
public record RequestView(String principal, String namespace, String sourceIp, String host, int port, String method, String path,
    Map<String, String> headers, RequestAuth auth) {
  public RequestView {
    principal = principal == null ? "" : principal;
    namespace = namespace == null ? "" : namespace;
    sourceIp = sourceIp == null ? "" : sourceIp;
    host = host == null ? "" : host;
    method = method == null ? "" : method;
    path = path == null ? "" : path;
    headers = headers == null ? Map.of()
        : headers.entrySet().stream().collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    auth = auth == null ? RequestAuth.NONE : auth;
  }

  /** The namespace a SPIFFE principal ({@code <td>/ns/<ns>/sa/<sa>}) names, or empty. */
  public static String namespaceOf(String principal) {
    if (principal == null) {
      return "";
    }
    int ns = principal.indexOf("/ns/");
    int sa = principal.indexOf("/sa/", ns + 4);
    return ns < 0 || sa < 0 ? "" : principal.substring(ns + 4, sa);
  }

  /**
   * A verified end-user token's attributes.
   *
   * @param principal {@code iss/sub}
   * @param audiences the {@code aud} claim
   * @param presenter the {@code azp} claim
   * @param claims every claim, lists as lists, others as one string
   */
  public record RequestAuth(String principal, List<String> audiences, String presenter, Map<String, List<String>> claims) {
    /** No token (or none verified). */
    public static final RequestAuth NONE = new RequestAuth("", List.of(), "", Map.of());

    public RequestAuth {
      principal = principal == null ? "" : principal;
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      presenter = presenter == null ? "" : presenter;
      claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
  }
}
