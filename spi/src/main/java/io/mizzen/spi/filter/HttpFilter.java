package io.mizzen.spi.filter;

import io.mizzen.spi.ConfigError;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * A factory for an extra proxy filter, Envoy-style: it validates its config, builds shared state
 * once per config version ({@link #create}), and the built {@link Instance} handles each request
 * cheaply.
 */
public interface HttpFilter extends ExtensionPoint {

  /** The name a proxy config refers to, such as {@code api-key}. */
  String name();

  /** Every problem with {@code config}, keyed by field; empty when it is valid. */
  List<ConfigError> validate(Map<String, Object> config);

  /** Builds the filter for a valid config. Never called with a config that failed validation. */
  Instance create(Map<String, Object> config);

  /** One configured filter, shared by all requests of a config version. */
  interface Instance {
    /**
     * Handles a request's headers on the way in.
     *
     * @return a Future with {@code null} to let the request go on, or a {@link LocalReply} to
     *     answer in the proxy's stead. A failed Future answers 500 with the failure's message.
     */
    Future<LocalReply> onRequest(RequestView request);
  }
}
