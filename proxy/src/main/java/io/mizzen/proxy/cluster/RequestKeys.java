package io.mizzen.proxy.cluster;

/** What a consistent hash may be computed from; the proxy's request context provides it. */
public interface RequestKeys {
  /** The first value of a request header, or {@code null}. */
  String header(String name);

  /** A request cookie's value, or {@code null}. */
  String cookie(String name);

  /** The client's IP address. */
  String sourceIp();

  /** A query parameter's first value, or {@code null}. */
  String queryParameter(String name);

  /**
   * Keys with nothing but a source address (empty for none): a TCP connection's, or a mirrored
   * request's, which balances without request keys.
   */
  static RequestKeys sourceOnly(String sourceIp) {
    return new SourceOnly(sourceIp == null ? "" : sourceIp);
  }

  /** See {@link #sourceOnly(String)}. */
  record SourceOnly(String sourceIp) implements RequestKeys {
    @Override
    public String header(String name) {
      return null;
    }

    @Override
    public String cookie(String name) {
      return null;
    }

    @Override
    public String queryParameter(String name) {
      return null;
    }
  }
}
