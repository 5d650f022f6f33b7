package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code mizzen proxy-status}: every connected proxy, the version sent and acked, and its sync. */
@Command(name = "proxy-status", mixinStandardHelpOptions = true,
    description = "Show every connected proxy: version sent, version acknowledged, SYNCED / STALE / NOT SENT.")
public final class ProxyStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ControlPlaneOption controlPlane;

  @Override
  public Integer call() throws InterruptedException {
    return controlPlane.show(spec, "proxy-status", "/debug/syncz", (out, syncz) -> {
      out.printf("%-45s %-12s %-10s %-10s %s%n", "NAME", "NAMESPACE", "SENT", "ACKED", "STATUS");
      for (Object o : syncz.getJsonArray("proxies")) {
        JsonObject p = (JsonObject) o;
        out.printf("%-45s %-12s %-10s %-10s %s%s%n", p.getString("id"), p.getString("namespace"),
            p.getString("sent"), p.getString("acked"), p.getString("status"),
            p.getString("lastError", "").isEmpty() ? "" : " (last NACK: " + p.getString("lastError") + ")");
      }
    });
  }
}
