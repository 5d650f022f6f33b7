package io.mizzen.proxy;

/** {@link GatewayPki}'s traditional-PEM writer for tests in other packages. */
public final class GatewayPkiAccess {
  private GatewayPkiAccess() {}

  public static String traditional(java.security.PrivateKey key) throws Exception {
    return GatewayPki.traditional(key);
  }
}
