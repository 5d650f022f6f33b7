package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The picocli command on its own: files in, files out, user template and mesh config, errors. */
class KubeInjectCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new KubeInjectCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private Path bookinfo() {
    return SharedSamples.samples().resolve("bookinfo/platform/kube/bookinfo.yaml");
  }

  @Test
  void writesToStandardOutputOrToAFile() throws IOException {
    assertEquals(0, run("-f", bookinfo().toString()), err.toString());
    Path file = dir.resolve("out.yaml");
    assertEquals(0, run("-f", bookinfo().toString(), "-o", file.toString()), err.toString());
    assertEquals(out.toString(), Files.readString(file));
    assertEquals(6, out.toString().split("name: istio-proxy\n", -1).length - 1, "one sidecar per Bookinfo Deployment");
  }

  @Test
  void userTemplateAndMeshConfigAreUsed() throws IOException {
    Path template = dir.resolve("template.yaml");
    Files.writeString(template, """
        policy: enabled
        template: |
          containers:
          - name: mesh-agent
            image: "${proxyImage}"
            args: [--cluster, "${serviceCluster}", --ca, "${discoveryAddress}"]
          annotations:
            example.com/injected-by: custom
        """);
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(mesh, "defaultConfig: {discoveryAddress: 'ca.example:443', proxyImage: 'custom/agent:2'}\n");
    assertEquals(0, run("-f", bookinfo().toString(), "--injectConfigFile", template.toString(),
        "--meshConfigFile", mesh.toString()), err.toString());
    String yaml = out.toString();
    assertTrue(yaml.contains("- name: mesh-agent\n        image: custom/agent:2"), yaml);
    assertTrue(yaml.contains("- reviews.$(POD_NAMESPACE)"), yaml);
    assertTrue(yaml.contains("- ca.example:443"), yaml);
    assertTrue(yaml.contains("example.com/injected-by: custom"), yaml);
    assertTrue(!yaml.contains("istio-init"), "the custom template has no init container");
  }

  @Test
  void errorsGoToStandardErrorWithExitCodeOne() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertEquals(1, run("-f", missing.toString()));
    assertTrue(err.toString().startsWith("kube-inject: " + missing + ": cannot read manifest"), err.toString());

    Path bad = dir.resolve("bad-mesh.yaml");
    Files.writeString(bad, "defaultConfig: [1]\n");
    assertEquals(1, run("-f", bookinfo().toString(), "--meshConfigFile", bad.toString()));
    assertTrue(err.toString().contains(bad + ": defaultConfig must be a map, got a list"), err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void readsStandardInputWithDash() throws IOException {
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream(Files.readAllBytes(bookinfo())));
      assertEquals(0, run("-f", "-"), err.toString());
    } finally {
      System.setIn(stdin);
    }
    assertEquals(6, out.toString().split("name: istio-proxy\n", -1).length - 1);
  }

  @Test
  void anUnwritableOutputIsNamed() {
    Path target = dir.resolve("no-such-dir/out.yaml");
    assertEquals(1, run("-f", bookinfo().toString(), "-o", target.toString()));
    assertTrue(err.toString().startsWith("kube-inject: " + target + ": cannot write the injected manifest"), err.toString());
  }

  @Test
  void fileIsRequired() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("Missing required option: '--filename=FILE'"), err.toString());
  }
}
