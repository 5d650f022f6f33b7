package io.mizzen.spi.filter;

import java.util.List;

/** What a filter may see and change of a request on its way through the proxy. */
public interface RequestView {
  String method();

  /** The path with its query, as received. */
  String uri();

  /** The authority (Host) the client addressed. */
  String authority();

  /** The first value of a header, or {@code null}. Names are case-insensitive. */
  String header(String name);

  /** All values of a header; empty when absent. */
  List<String> headers(String name);

  /** Sets (replaces) a request header before it goes upstream. */
  void setHeader(String name, String value);

  /** Removes a request header before it goes upstream. */
  void removeHeader(String name);

  /** The peer's SPIFFE identity when the connection is mutual TLS, else {@code null}. */
  String sourcePrincipal();
}
