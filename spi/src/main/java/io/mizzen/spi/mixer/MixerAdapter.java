package io.mizzen.spi.mixer;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * A Mixer adapter: referenced by a handler ({@code compiledAdapter: <name>}), it receives the
 * instances of the templates it supports. Its lifecycle is Mixer's: the params are validated
 * (every error, keyed by field), and only valid params are built into a {@link Handler}.
 * Adapters never start threads; they schedule work through the {@link MeshContext}.
 */
public interface MixerAdapter extends ExtensionPoint {

  /** The adapter's name as handlers refer to it, such as {@code denier}. */
  String name();

  /** The templates it supports: {@code checknothing}, {@code listentry}, {@code quota}, … */
  Set<String> templates();

  /** Every problem with the handler params, keyed by field; empty when valid. */
  List<ConfigError> validate(Map<String, Object> params);

  /**
   * Builds a handler for valid params (never called otherwise).
   *
   * @return a Future with the handler, or failed if it cannot be built (a provider URL that
   *     cannot be reached at all, say)
   */
  Future<Handler> build(Map<String, Object> params, MeshContext context);

  /** A built handler. Each method is called only for templates the adapter declared. */
  interface Handler {
    /**
     * Checks one instance (checknothing, listentry, authorization).
     *
     * @return a Future with the result; a failed Future counts as an adapter error and the
     *     workload's fail-open/fail-closed policy decides the outcome
     */
    default Future<CheckResult> check(Instance instance) {
      return Future.failedFuture(new UnsupportedOperationException("check not supported"));
    }

    /** Allocates quota for one instance. @return a Future with the grant, failed on adapter error */
    default Future<QuotaResult> quota(Instance instance, QuotaArgs args) {
      return Future.failedFuture(new UnsupportedOperationException("quota not supported"));
    }

    /** Records a batch of instances (metric, logentry, tracespan). @return completed once accepted */
    default Future<Void> report(List<Instance> instances) {
      return Future.failedFuture(new UnsupportedOperationException("report not supported"));
    }

    /** Releases what the handler holds; called when its config is replaced or removed. */
    default Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
