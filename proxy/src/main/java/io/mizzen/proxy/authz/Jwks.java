package io.mizzen.proxy.authz;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The verification keys of a JSON Web Key Set: RSA and EC P-256 keys.
 *
 * @param keys the keys, each with its {@code kid} (may be empty)
 */
record Jwks(List<Key> keys) {
  /** @param kid the key id, or empty @param key the public key */
  record Key(String kid, PublicKey key) {}

  /**
   * Parses a JWKS document.
   *
   * @throws IllegalArgumentException naming what is wrong (not JSON, no keys, a bad key by index)
   */
  static Jwks parse(String json, String where) {
    JsonObject doc;
    try {
      doc = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(where + ": not a JSON object: " + e.getMessage(), e);
    }
    JsonArray array = doc.getJsonArray("keys");
    if (array == null || array.isEmpty()) {
      throw new IllegalArgumentException(where + ": no \"keys\"");
    }
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonObject k = array.getJsonObject(i);
      try {
        keys.add(new Key(k.getString("kid", ""), key(k)));
      } catch (RuntimeException | GeneralSecurityException e) {
        throw new IllegalArgumentException(where + ": keys[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new Jwks(keys);
  }

  private static PublicKey key(JsonObject k) throws GeneralSecurityException {
    String kty = k.getString("kty", "");
    switch (kty) {
      case "RSA" -> {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(number(k, "n"), number(k, "e")));
      }
      case "EC" -> {
        if (!"P-256".equals(k.getString("crv"))) {
          throw new IllegalArgumentException("crv '" + k.getString("crv") + "' (only P-256)");
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(number(k, "x"), number(k, "y")), spec));
      }
      default -> throw new IllegalArgumentException("kty '" + kty + "' (RSA or EC)");
    }
  }

  private static BigInteger number(JsonObject k, String field) {
    String v = k.getString(field);
    if (v == null) {
      throw new IllegalArgumentException("missing \"" + field + "\"");
    }
    return new BigInteger(1, Base64.getUrlDecoder().decode(v));
  }
}
