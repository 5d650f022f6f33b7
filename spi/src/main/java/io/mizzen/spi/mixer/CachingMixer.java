package io.mizzen.spi.mixer;

import io.vertx.core.Future;

/** A {@link Mixer} fronted by a {@link CheckCache}: cache hits never leave the proxy. */
final class CachingMixer extends ForwardingMixer {
  private final CheckCache cache;
  private final Runnable forget;

  CachingMixer(Mixer remote, CheckCache cache) {
    super(remote);
    this.cache = cache;
    this.forget = cache::clear;
  }

  @Override
  public Future<CheckResponse> check(CheckRequest request) {
    // A request that names quotas must reach Mixer: grants are never reused.
    if (request.quotas().isEmpty()) {
      followGeneration(forget);
      CheckResponse hit = cache.lookup(request.attributes());
      if (hit != null) {
        return Future.succeededFuture(hit);
      }
    }
    long asked = remote.configGeneration();
    return remote.check(request).onSuccess(r -> {
      followGeneration(forget);
      // A verdict answered under another version than the one in force when it was asked is
      // not kept: it may come from the old config (an in-process engine swapped while a handler
      // was answering), and the next check under the new one is cached instead.
      if (remote.configGeneration() == asked || asked == -1) {
        cache.store(request.attributes(), r);
      }
    });
  }
}
