package io.mizzen.testplugins.failing;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.Set;
import org.pf4j.Extension;

/** Throws from {@link #start}, as a buggy third-party function would. */
@Extension
public class FailingFunction implements MeshFunction {
  @Override
  public String name() {
    return "failing-function";
  }

  @Override
  public Set<Role> roles() {
    return EnumSet.allOf(Role.class);
  }

  @Override
  public Future<Void> start(MeshContext context) {
    throw new IllegalStateException("deliberate failure at start (test plugin)");
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }
}
