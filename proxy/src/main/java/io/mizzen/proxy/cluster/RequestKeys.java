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
}
