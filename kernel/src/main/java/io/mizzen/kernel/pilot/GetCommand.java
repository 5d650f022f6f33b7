package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mizzen get KIND [NAME] [-n NAMESPACE] [-o yaml|json]}: what the control plane holds. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "List the resources in force on the control plane.")
public final class GetCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND", description = "A kind, such as VirtualService (any case).")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
  String name;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "Only this namespace.")
  String namespace;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table, yaml or json (default ${DEFAULT-VALUE}).")
  String output;

  @Mixin
  ControlPlaneOption controlPlane;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("table") && !output.equals("yaml") && !output.equals("json")) {
      err.println("mizzen get: -o: '" + output + "' is not one of table, yaml, json");
      err.flush();
      return 2;
    }
    String query = "/resources?kind=" + ControlPlaneClient.encode(kind)
        + (name == null ? "" : "&name=" + ControlPlaneClient.encode(name))
        + (namespace == null ? "" : "&namespace=" + ControlPlaneClient.encode(namespace))
        + (output.equals("yaml") ? "&format=yaml" : "");
    try {
      ControlPlaneClient.Answer answer = controlPlane.client().get(query);
      if (output.equals("yaml") || output.equals("json")) {
        out.print(output.equals("json") ? new JsonObject(answer.body()).encodePrettily() + "\n" : answer.body());
      } else {
        JsonArray items = answer.json().getJsonArray("items");
        if (items.isEmpty()) {
          err.println("no " + kind + (name == null ? "" : " named " + name) + " found");
        } else {
          out.printf("%-20s %-40s %s%n", "NAMESPACE", "NAME", "KIND");
          for (Object o : items) {
            JsonObject r = (JsonObject) o;
            out.printf("%-20s %-40s %s%n", r.getString("namespace"), r.getString("name"), r.getString("kind"));
          }
        }
      }
      out.flush();
      err.flush();
      return name != null && answer.body().contains("\"items\" : [ ]") ? 1 : 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("mizzen get: " + e.getMessage());
      err.flush();
      return 2;
    }
  }
}
