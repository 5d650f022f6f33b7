package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Oneof;
import io.mizzen.spi.config.bind.Required;

/**
 * Answer directly (later Istio).
 *
 * @param status the status code
 * @param body the body, or {@code null}
 */
public record HttpDirectResponse(@Required Integer status, Body body) {

  /**
   * A body, as text or base64 bytes.
   *
   * @param string the body as text
   * @param bytes the body, base64-encoded
   */
  @Oneof({"string", "bytes"})
  public record Body(String string, String bytes) {}
}
