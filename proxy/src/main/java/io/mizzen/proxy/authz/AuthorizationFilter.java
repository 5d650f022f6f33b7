package io.mizzen.proxy.authz;

import io.mizzen.proxy.authz.RequestView.RequestAuth;
import io.mizzen.proxy.filter.FilterStep;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.spi.filter.LocalReply;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Envoy's {@code jwt_authn} then {@code rbac} HTTP filters on the inbound listener (and on a
 * gateway's listeners, the workload being the gateway): a bad JWT answers 401, a request
 * authorization refuses answers 403 {@code RBAC: access denied}, logged with Envoy's response
 * code details {@code rbac_access_denied_matched_policy[<policy>|none]}.
 */
final class AuthorizationFilter implements ProxyFilter {
  static final String DENIED_BODY = "RBAC: access denied";
  static final String JWT_BODY = "Jwt verification fails";
  private static final Map<String, String> TEXT = Map.of("content-type", "text/plain");

  private final WorkloadInfo workload;
  private final Supplier<InboundEnforcement.Compiled> state;

  AuthorizationFilter(WorkloadInfo workload, Supplier<InboundEnforcement.Compiled> state) {
    this.workload = workload;
    this.state = state;
  }

  @Override
  public FilterStep onRequest(RequestContext request) {
    String listener = request.listener();
    if (!workload.gateway() && !"inbound".equals(listener) && !listener.startsWith("gateway_")) {
      // A sidecar's outbound is the client side: the destination's inbound decides. A gateway's
      // every listener is where it is called (its outbound one too, when that serves a Gateway
      // server port's routes).
      return null;
    }
    InboundEnforcement.Compiled c = state.get();
    if (!c.enforces()) {
      return null;
    }
    Map<String, String> headers = headers(request);
    RequestAuth auth = RequestAuth.NONE;
    if (c.authn() != null) {
      RequestAuthenticator.Outcome outcome = c.authn().authenticate(workload, headers, request.uri());
      if (!outcome.accepted()) {
        return new FilterStep.Reply(new LocalReply(401, TEXT, JWT_BODY), null, "jwt_authn_access_denied: " + outcome.reason());
      }
      auth = outcome.auth();
    }
    if (c.authz() == null && c.rbac() == null) {
      return null;
    }
    String principal = request.sourcePrincipal();
    int port = workload.appPort() > 0 ? workload.appPort() : request.port();
    RequestView view = new RequestView(principal, RequestView.namespaceOf(principal), request.sourceIp(), request.host(), port,
        request.method(), request.uri(), headers, auth);
    Decision d = c.authz() != null ? c.authz().decide(workload, view) : c.rbac().decide(workload, view);
    if (d.allowed()) {
      return null;
    }
    return new FilterStep.Reply(new LocalReply(403, TEXT, DENIED_BODY), null,
        "rbac_access_denied_matched_policy[" + (d.policy().isEmpty() ? "none" : d.policy()) + "]: " + d.reason());
  }

  private static Map<String, String> headers(RequestContext request) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> h : request.headers()) {
      // Envoy joins repeated headers with a comma for matching.
      out.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + "," + b);
    }
    return out;
  }
}
