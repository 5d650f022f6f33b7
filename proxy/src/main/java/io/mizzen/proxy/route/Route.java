package io.mizzen.proxy.route;

import java.time.Duration;
import java.util.List;

/**
 * One compiled {@code http[]} entry of a VirtualService.
 *
 * @param name the route's name, or {@code <virtualservice>.<index>}
 * @param matches the alternatives (ORed); empty matches everything
 * @param destinations weighted destinations; empty for redirect and direct response
 * @param totalWeight the sum of the weights
 * @param redirect the redirect, or {@code null}
 * @param directResponse the direct response, or {@code null}
 * @param rewrite the rewrite, or {@code null}
 * @param timeout the route timeout, or {@code null} for none
 * @param retries the retry policy
 * @param fault the fault injection, or {@code null}
 * @param mirror the mirror destination, or {@code null}
 * @param mirrorPercent share of requests mirrored, 0–100
 * @param cors the CORS policy, or {@code null}
 * @param requestOps request header operations of the route
 * @param responseOps response header operations of the route
 */
public record Route(
    String name,
    List<RequestMatch> matches,
    List<Destination> destinations,
    int totalWeight,
    Redirect redirect,
    DirectResponse directResponse,
    Rewrite rewrite,
    Duration timeout,
    RetryPolicy retries,
    Fault fault,
    Destination mirror,
    double mirrorPercent,
    CorsPolicy cors,
    HeaderOps requestOps,
    HeaderOps responseOps) {

  public Route {
    matches = List.copyOf(matches);
    destinations = List.copyOf(destinations);
    retries = retries == null ? RetryPolicy.DEFAULT : retries;
    requestOps = requestOps == null ? HeaderOps.NONE : requestOps;
    responseOps = responseOps == null ? HeaderOps.NONE : responseOps;
  }

  /** A route to one destination with Istio's defaults, as used when no VirtualService applies. */
  public static Route to(String name, Destination destination) {
    return new Route(name, List.of(), List.of(destination), 100, null, null, null, null,
        RetryPolicy.DEFAULT, null, null, 0, null, HeaderOps.NONE, HeaderOps.NONE);
  }

  /** Whether any of the matches (or none given) accepts the request. */
  public boolean matches(io.mizzen.proxy.filter.RequestContext request) {
    if (matches.isEmpty()) {
      return true;
    }
    for (RequestMatch m : matches) {
      if (m.matches(request)) {
        return true;
      }
    }
    return false;
  }

  /** A destination drawn by weight (the only one when there is one). */
  public Destination choose() {
    return destinations.size() == 1 ? destinations.get(0)
        : pick(java.util.concurrent.ThreadLocalRandom.current().nextInt(Math.max(1, totalWeight)));
  }

  /** Picks a destination by weight with a number drawn in [0, totalWeight). */
  public Destination pick(int draw) {
    int acc = 0;
    for (Destination d : destinations) {
      acc += d.weight();
      if (draw < acc) {
        return d;
      }
    }
    return destinations.get(destinations.size() - 1);
  }

  /**
   * {@code redirect}.
   *
   * @param uri the new path, or {@code null} to keep it
   * @param authority the new authority, or {@code null} to keep it
   * @param status 301 unless {@code redirectCode} says otherwise
   * @param scheme the new scheme ({@code https} for a Gateway's {@code httpsRedirect}), or
   *     {@code null} to keep it; with a scheme and no authority the port is dropped (the new
   *     scheme's default applies)
   */
  public record Redirect(String uri, String authority, int status, String scheme) {
    public Redirect(String uri, String authority, int status) {
      this(uri, authority, status, null);
    }
  }

  /**
   * {@code rewrite}.
   *
   * @param uri replaces the matched prefix (or the whole path for exact/regex), or {@code null}
   * @param authority the new authority, or {@code null}
   */
  public record Rewrite(String uri, String authority) {}

  /**
   * {@code directResponse}.
   *
   * @param status the status
   * @param body the body, possibly empty
   */
  public record DirectResponse(int status, String body) {}
}
