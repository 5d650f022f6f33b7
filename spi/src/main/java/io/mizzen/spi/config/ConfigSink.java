package io.mizzen.spi.config;

import io.vertx.core.Future;
import java.util.List;

/** Where a {@link ConfigSource} hands resources; the kernel validates them before they count. */
public interface ConfigSink {

  /**
   * Makes {@code resources} the complete set this source provides under {@code origin} (a file,
   * say): resources previously given under that origin and absent now are deleted.
   *
   * @return a Future completed with the errors found (empty when all were accepted). Refused
   *     resources leave the last good version in force; the Future itself fails only if the store
   *     cannot be reached.
   */
  Future<List<String>> replaceOrigin(String origin, List<Resource> resources);

  /**
   * Reports that a file or document at {@code origin} could not be read at all (a YAML syntax
   * error, say). What that origin gave before stays in force.
   */
  void unreadable(String origin, String reason);
}
