package io.mizzen.proxy.authz;

import io.mizzen.proxy.authz.RequestView.RequestAuth;
import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.security.RequestAuthentication;
import io.mizzen.spi.config.security.RequestAuthentication.JwtRule;
import io.mizzen.spi.config.security.SecurityModel;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link RequestAuthenticator} over compiled rules with their key sets. */
final class JwtRules implements RequestAuthenticator {
  private record Rule(String ref, String namespace, RequestAuthentication spec, JwtRule jwt, Jwks keys) {}

  private final List<Rule> rules;
  private final String rootNamespace;
  private final Clock clock;

  private JwtRules(List<Rule> rules, String rootNamespace, Clock clock) {
    this.rules = rules;
    this.rootNamespace = rootNamespace;
    this.clock = clock;
  }

  static Future<RequestAuthenticator> load(Vertx vertx, Collection<Resource> resources, String rootNamespace, Clock clock,
      JwksCache cache, WorkloadInfo only) {
    List<String> errors = new ArrayList<>();
    List<Future<Rule>> pending = new ArrayList<>();
    // Only for jwksUri rules: most snapshots have none, and each apply should not cost a client.
    HttpClient[] http = new HttpClient[1];
    for (Resource r : resources) {
      if (!r.group().equals("security.istio.io") || !r.kind().equals("RequestAuthentication")) {
        continue;
      }
      String where = (r.location() == null ? "" : r.location().origin() + ": ") + "RequestAuthentication " + r.namespace() + "/" + r.name();
      Bound<RequestAuthentication> b = SecurityModel.bind(r, RequestAuthentication.class);
      for (ConfigError e : b.errors()) {
        errors.add(where + ": " + e.field() + ": " + e.message());
      }
      if (!b.errors().isEmpty() || b.value().jwtRules() == null) {
        continue;
      }
      if (only != null && !io.mizzen.spi.config.security.WorkloadSelector.applies(b.value().selector(), r.namespace(),
          rootNamespace, only.namespace(), only.labels())) {
        // Not this workload's: its keys are not fetched (a key server another workload relies on
        // being down must not hold up this proxy's config).
        continue;
      }
      List<JwtRule> jwtRules = b.value().jwtRules();
      for (int i = 0; i < jwtRules.size(); i++) {
        JwtRule jwt = jwtRules.get(i);
        String field = where + ": spec.jwtRules[" + i + "]";
        String ref = r.namespace() + "/" + r.name();
        if (jwt.jwks() != null) {
          try {
            pending.add(Future.succeededFuture(new Rule(ref, r.namespace(), b.value(), jwt, Jwks.parse(jwt.jwks(), field + ".jwks"))));
          } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
          }
        } else if (jwt.jwksUri() != null) {
          pending.add(cache.keys(jwt.jwksUri(), () -> {
            if (http[0] == null) {
              http[0] = vertx.createHttpClient();
            }
            return fetch(http[0], jwt.jwksUri(), field + ".jwksUri");
          }).map(keys -> new Rule(ref, r.namespace(), b.value(), jwt, keys)));
        } else {
          errors.add(field + ": needs jwks or jwksUri");
        }
      }
    }
    if (!errors.isEmpty()) {
      if (http[0] != null) {
        http[0].close();
      }
      return Future.failedFuture(new IllegalArgumentException("invalid RequestAuthentication:\n  " + String.join("\n  ", errors)));
    }
    // The client's close is not awaited: the key sets are in hand, and a slow close must not hold up a snapshot.
    return Future.all(pending).andThen(ar -> {
      if (http[0] != null) {
        http[0].close();
      }
    }).map(all -> {
      List<Rule> rules = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        rules.add(all.resultAt(i));
      }
      return new JwtRules(List.copyOf(rules), rootNamespace, clock);
    });
  }

  private static Future<Jwks> fetch(HttpClient http, String uri, String field) {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri))
        // The body is asked for as the response arrives (Vert.x 5.0.7 can lose a late ask's end).
        .compose(req -> req.send().compose(resp -> resp.statusCode() == 200 ? resp.body()
            : Future.failedFuture(new IllegalStateException(field + ": " + uri + " answered HTTP " + resp.statusCode()))))
        .map(body -> Jwks.parse(body.toString(StandardCharsets.UTF_8), field + " (" + uri + ")"))
        .recover(e -> Future.failedFuture(e.getMessage() != null && e.getMessage().startsWith(field) ? e
            : new IllegalStateException(field + ": cannot fetch " + uri + ": " + e.getMessage(), e)));
  }

  @Override
  public boolean appliesTo(WorkloadInfo workload) {
    return rules.stream().anyMatch(r -> selects(r, workload));
  }

  @Override
  public Outcome authenticate(WorkloadInfo workload, Map<String, String> headers, String path) {
    Map<String, String> lower = new HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    List<Rule> applicable = rules.stream().filter(r -> selects(r, workload)).toList();
    String lastRefusal = null;
    boolean anyToken = false;
    for (Rule rule : applicable) {
      String token = token(rule.jwt(), lower, path);
      if (token == null) {
        continue;
      }
      anyToken = true;
      try {
        return new Outcome(true, verify(token, rule), "verified by " + rule.ref());
      } catch (IllegalArgumentException e) {
        lastRefusal = rule.ref() + ": " + e.getMessage();
      }
    }
    if (anyToken) {
      return new Outcome(false, RequestAuth.NONE, "JWT refused: " + lastRefusal);
    }
    return new Outcome(true, RequestAuth.NONE, "no token");
  }

  private boolean selects(Rule r, WorkloadInfo w) {
    return io.mizzen.spi.config.security.WorkloadSelector.applies(r.spec().selector(), r.namespace(), rootNamespace,
        w.namespace(), w.labels());
  }

  private static String token(JwtRule jwt, Map<String, String> headers, String path) {
    if ((jwt.fromHeaders() == null || jwt.fromHeaders().isEmpty()) && (jwt.fromParams() == null || jwt.fromParams().isEmpty())) {
      String auth = headers.get("authorization");
      return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
    }
    for (RequestAuthentication.JwtHeader h : jwt.fromHeaders() == null ? List.<RequestAuthentication.JwtHeader>of() : jwt.fromHeaders()) {
      String v = headers.get(h.name().toLowerCase(Locale.ROOT));
      String prefix = h.prefix() == null ? "" : h.prefix();
      if (v != null && v.startsWith(prefix)) {
        return v.substring(prefix.length()).strip();
      }
    }
    int q = path.indexOf('?');
    if (q >= 0 && jwt.fromParams() != null) {
      for (String pair : path.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && jwt.fromParams().contains(pair.substring(0, eq))) {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }

  private RequestAuth verify(String token, Rule rule) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a compact JWS (3 dot-separated parts)");
    }
    JsonObject header = json(parts[0], "header");
    JsonObject claims = json(parts[1], "payload");
    String alg = header.getString("alg", "");
    String algorithm = switch (alg) {
      case "RS256" -> "SHA256withRSA";
      case "ES256" -> "SHA256withECDSAinP1363Format";
      default -> throw new IllegalArgumentException("alg '" + alg + "' is not accepted (RS256, ES256)");
    };
    String kid = header.getString("kid", "");
    byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] signature = decode(parts[2], "signature");
    boolean ok = false;
    for (Jwks.Key k : rule.keys().keys()) {
      if (!kid.isEmpty() && !k.kid().isEmpty() && !kid.equals(k.kid())) {
        continue;
      }
      try {
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(k.key());
        s.update(signed);
        if (s.verify(signature)) {
          ok = true;
          break;
        }
      } catch (GeneralSecurityException e) {
        // A key of the other type (RSA for ES256) cannot verify: try the next.
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("signature does not verify with any key of the JWKS");
    }
    String iss = claims.getString("iss", "");
    if (!iss.equals(rule.jwt().issuer())) {
      throw new IllegalArgumentException("issuer '" + iss + "' is not '" + rule.jwt().issuer() + "'");
    }
    long now = clock.instant().getEpochSecond();
    Long exp = number(claims, "exp");
    if (exp != null && now >= exp) {
      throw new IllegalArgumentException("expired at " + java.time.Instant.ofEpochSecond(exp));
    }
    Long nbf = number(claims, "nbf");
    if (nbf != null && now < nbf) {
      throw new IllegalArgumentException("not valid before " + java.time.Instant.ofEpochSecond(nbf));
    }
    List<String> audiences = strings(claims.getValue("aud"));
    List<String> wanted = rule.jwt().audiences();
    if (wanted != null && !wanted.isEmpty() && audiences.stream().noneMatch(wanted::contains)) {
      throw new IllegalArgumentException("audiences " + audiences + " include none of " + wanted);
    }
    Map<String, List<String>> all = new HashMap<>();
    for (String name : claims.fieldNames()) {
      all.put(name, strings(claims.getValue(name)));
    }
    return new RequestAuth(iss + "/" + claims.getString("sub", ""), audiences, claims.getString("azp", ""), all);
  }

  private static Long number(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalArgumentException("claim " + name + " is not a number");
  }

  private static List<String> strings(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof JsonArray a) {
      List<String> out = new ArrayList<>();
      a.forEach(x -> out.add(String.valueOf(x)));
      return out;
    }
    if (v instanceof String s) {
      // Space-separated claims (scope) are lists in Istio's matching.
      return s.contains(" ") ? List.of(s.split(" ")) : List.of(s);
    }
    return List.of(String.valueOf(v));
  }

  private static JsonObject json(String part, String what) {
    try {
      return new JsonObject(new String(decode(part, what), StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the " + what + " is not a JSON object");
    }
  }

  private static byte[] decode(String part, String what) {
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + what + " is not base64url");
    }
  }
}
