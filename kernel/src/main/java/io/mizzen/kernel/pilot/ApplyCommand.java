package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen apply -f FILE|DIR} and {@code mizzen delete -f FILE|DIR}: each YAML file is sent
 * to the control plane as it is (so errors name the file and line); the control plane validates
 * and analyzes it and answers what it accepted and refused. Exit 0 when nothing was refused, 1
 * otherwise, 2 when the control plane cannot be reached.
 */
public abstract class ApplyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR",
      description = "A YAML file, a folder read recursively, or - for standard input; may be repeated.")
  List<Path> files = new ArrayList<>();

  @Mixin
  ControlPlaneOption controlPlane;

  abstract String path();

  abstract String verb();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = 0;
    try {
      ControlPlaneClient client = controlPlane.client();
      for (Path f : files) {
        for (Path file : yamlFiles(f)) {
          String text = file.toString().equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(file);
          String origin = file.toString().equals("-") ? "<stdin>" : file.toAbsolutePath().normalize().toString();
          JsonObject answer = client.post(path(), origin, text).json();
          print(out, "", answer.getJsonArray("notes", new JsonArray()));
          print(out, "", answer.getJsonArray("warnings", new JsonArray()));
          print(err, "", answer.getJsonArray("errors", new JsonArray()));
          for (Object k : answer.getJsonArray("applied", new JsonArray())) {
            out.println(k + " " + verb());
          }
          for (Object k : answer.getJsonArray("deleted", new JsonArray())) {
            out.println(k + " deleted");
          }
          for (Object k : answer.getJsonArray("refused", new JsonArray())) {
            err.println(k + " refused");
          }
          if (!answer.getBoolean("accepted", false)) {
            status = 1;
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("mizzen " + spec.name() + ": " + e.getMessage());
      status = 2;
    }
    out.flush();
    err.flush();
    return status;
  }

  private static void print(PrintWriter w, String prefix, JsonArray lines) {
    lines.forEach(l -> w.println(prefix + l));
  }

  static List<Path> yamlFiles(Path f) throws IOException {
    if (f.toString().equals("-") || !Files.isDirectory(f)) {
      if (!f.toString().equals("-") && !Files.exists(f)) {
        throw new IOException(f + ": no such file or folder");
      }
      return List.of(f);
    }
    try (Stream<Path> walk = Files.walk(f)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  /** {@code mizzen apply}. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Apply Istio resources to the control plane (validated and analyzed there).")
  public static final class Apply extends ApplyCommand {
    @Override
    String path() {
      return "/apply";
    }

    @Override
    String verb() {
      return "applied";
    }
  }

  /** {@code mizzen delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete the resources named in the files from the control plane.")
  public static final class Delete extends ApplyCommand {
    @Override
    String path() {
      return "/delete";
    }

    @Override
    String verb() {
      return "deleted";
    }
  }
}
