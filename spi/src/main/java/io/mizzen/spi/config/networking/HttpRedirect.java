package io.mizzen.spi.config.networking;

/**
 * Answer with a redirect instead of forwarding.
 *
 * @param uri the path to put in the Location header
 * @param authority the authority to put in the Location header
 * @param redirectCode the status, 301 when unset
 * @param scheme the scheme to put in the Location header (later Istio)
 * @param port the port to put in the Location header (later Istio)
 */
public record HttpRedirect(String uri, String authority, Integer redirectCode, String scheme, Integer port) {
  /** The status code, 301 when unset. */
  public int effectiveCode() {
    return redirectCode == null ? 301 : redirectCode;
  }
}
